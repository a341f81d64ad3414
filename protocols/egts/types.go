package egts

import "fmt"

// PacketType is the transport-layer packet type (PT).
type PacketType uint8

// Packet types.
const (
	PacketResponse      PacketType = 0 // EGTS_PT_RESPONSE: acknowledges a packet
	PacketAppData       PacketType = 1 // EGTS_PT_APPDATA: service records
	PacketSignedAppData PacketType = 2 // EGTS_PT_SIGNED_APPDATA: signature, then records
)

func (t PacketType) String() string {
	switch t {
	case PacketResponse:
		return "response"
	case PacketAppData:
		return "appdata"
	case PacketSignedAppData:
		return "signed_appdata"
	}
	return fmt.Sprintf("packet_type(%d)", uint8(t))
}

// Service is a service type (SST, RST) of a service data record.
type Service uint8

// Services.
const (
	ServiceAuth     Service = 1  // EGTS_AUTH_SERVICE
	ServiceTeledata Service = 2  // EGTS_TELEDATA_SERVICE
	ServiceCommands Service = 4  // EGTS_COMMANDS_SERVICE
	ServiceFirmware Service = 9  // EGTS_FIRMWARE_SERVICE
	ServiceEcall    Service = 10 // EGTS_ECALL_SERVICE
)

func (s Service) String() string {
	switch s {
	case ServiceAuth:
		return "auth"
	case ServiceTeledata:
		return "teledata"
	case ServiceCommands:
		return "commands"
	case ServiceFirmware:
		return "firmware"
	case ServiceEcall:
		return "ecall"
	}
	return fmt.Sprintf("service(%d)", uint8(s))
}

// Subrecord is a subrecord type (SRT). Its meaning depends on the service;
// the numbers below follow GOST 33472-2015 and Приказ Минтранса №285.
type Subrecord uint8

// Subrecords of every service.
const (
	SrRecordResponse Subrecord = 0 // EGTS_SR_RECORD_RESPONSE
)

// Subrecords of the auth service.
const (
	SrTermIdentity       Subrecord = 1 // EGTS_SR_TERM_IDENTITY
	SrModuleData         Subrecord = 2 // EGTS_SR_MODULE_DATA
	SrVehicleData        Subrecord = 3 // EGTS_SR_VEHICLE_DATA
	SrDispatcherIdentity Subrecord = 5 // EGTS_SR_DISPATCHER_IDENTITY
	SrAuthParams         Subrecord = 6 // EGTS_SR_AUTH_PARAMS
	SrAuthInfo           Subrecord = 7 // EGTS_SR_AUTH_INFO
	SrServiceInfo        Subrecord = 8 // EGTS_SR_SERVICE_INFO
	SrResultCode         Subrecord = 9 // EGTS_SR_RESULT_CODE
)

// Subrecords of the teledata service.
const (
	SrPosData            Subrecord = 16 // EGTS_SR_POS_DATA
	SrExtPosData         Subrecord = 17 // EGTS_SR_EXT_POS_DATA
	SrADSensorsData      Subrecord = 18 // EGTS_SR_AD_SENSORS_DATA
	SrCountersData       Subrecord = 19 // EGTS_SR_COUNTERS_DATA
	SrStateData          Subrecord = 20 // EGTS_SR_STATE_DATA (Приказ 285)
	SrStateData21        Subrecord = 21 // STATE_DATA in libraries where 20 is ACCEL_DATA
	SrLoopinData         Subrecord = 22 // EGTS_SR_LOOPIN_DATA
	SrAbsDigSensData     Subrecord = 23 // EGTS_SR_ABS_DIG_SENS_DATA
	SrAbsAnSensData      Subrecord = 24 // EGTS_SR_ABS_AN_SENS_DATA
	SrAbsCntrData        Subrecord = 25 // EGTS_SR_ABS_CNTR_DATA
	SrAbsLoopinData      Subrecord = 26 // EGTS_SR_ABS_LOOPIN_DATA
	SrLiquidLevelSensor  Subrecord = 27 // EGTS_SR_LIQUID_LEVEL_SENSOR
	SrPassengersCounters Subrecord = 28 // EGTS_SR_PASSENGERS_COUNTERS
)

// Result is a processing result code (PR of a response packet, RST of a
// record response, RCD of EGTS_SR_RESULT_CODE).
type Result uint8

// Processing results used by this package (GOST 33472-2015, appendix B).
const (
	ResultOK            Result = 0   // EGTS_PC_OK
	ResultUnsProtocol   Result = 128 // EGTS_PC_UNS_PROTOCOL: PRV not supported
	ResultDecryptError  Result = 129 // EGTS_PC_DECRYPT_ERROR: encryption not supported
	ResultProcDenied    Result = 130 // EGTS_PC_PROC_DENIED
	ResultIncHeaderForm Result = 131 // EGTS_PC_INC_HEADERFORM: bad header layout
	ResultIncDataForm   Result = 132 // EGTS_PC_INC_DATAFORM: bad records or compression
	ResultUnsType       Result = 133 // EGTS_PC_UNS_TYPE: unknown packet type
	ResultHeaderCRC     Result = 137 // EGTS_PC_HEADERCRC_ERROR
	ResultDataCRC       Result = 138 // EGTS_PC_DATACRC_ERROR
	ResultInvDataLen    Result = 139 // EGTS_PC_INVDATALEN: FDL disagrees with the frame
	ResultAuthDenied    Result = 151 // EGTS_PC_AUTH_DENIED
)

func (r Result) String() string {
	switch r {
	case ResultOK:
		return "ok"
	case ResultUnsProtocol:
		return "uns_protocol"
	case ResultDecryptError:
		return "decrypt_error"
	case ResultProcDenied:
		return "proc_denied"
	case ResultIncHeaderForm:
		return "inc_headerform"
	case ResultIncDataForm:
		return "inc_dataform"
	case ResultUnsType:
		return "uns_type"
	case ResultHeaderCRC:
		return "headercrc_error"
	case ResultDataCRC:
		return "datacrc_error"
	case ResultInvDataLen:
		return "invdatalen"
	case ResultAuthDenied:
		return "auth_denied"
	}
	return fmt.Sprintf("result(%d)", uint8(r))
}
