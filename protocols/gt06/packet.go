package gt06

import "strconv"

// PacketType is the protocol number byte of a packet.
type PacketType uint8

// Packet types handled by this package. Names follow the Concox documents;
// several numbers mean different things on different models, which the
// decoder resolves from the packet's content (see decode.go).
const (
	Login          PacketType = 0x01 // terminal ID (IMEI), model, time zone
	GPS            PacketType = 0x10 // GPS only (oldest GT06)
	GPSLBS6        PacketType = 0x11 // GPS + LBS with 4-byte cell id
	GPSLBS         PacketType = 0x12 // GPS + LBS: the common position packet
	Status         PacketType = 0x13 // status information (heartbeat)
	Satellite      PacketType = 0x14 // satellite SNR
	String         PacketType = 0x15 // command answer text
	GPSLBSStatus   PacketType = 0x16 // alarm: GPS + LBS + status
	WiFi           PacketType = 0x17 // Wi-Fi and cells; GPS on some models
	LBSExtend      PacketType = 0x18 // several cells
	LBSStatus      PacketType = 0x19 // alarm with LBS and status, no GPS
	GPSPhone       PacketType = 0x1A // GPS, phone number query
	GPSLBSExtend   PacketType = 0x1E // GPS + LBS extended (JI09)
	GPSLBS2        PacketType = 0x22 // GPS + LBS + ACC, upload mode
	Heartbeat      PacketType = 0x23 // heartbeat (GK310)
	LBSMultiple3   PacketType = 0x24 // several cells; GPS on some models
	GPSLBSStatus2  PacketType = 0x26 // alarm: GPS + LBS + status (multi-fence)
	GPSLBSStatus3  PacketType = 0x27 // alarm: GPS + LBS + status, language
	LBSMultiple1   PacketType = 0x28 // several cells
	AddressRequest PacketType = 0x2A // address request (GK310)
	LBSWiFi        PacketType = 0x2C // cells and Wi-Fi
	GPSLBS4        PacketType = 0x2D // GPS + LBS
	GPSLBS5        PacketType = 0x31 // GPS + LBS (AZ735)
	GPSLBSStatus4  PacketType = 0x32 // GPS + LBS + status (AZ735)
	AZ735Alarm     PacketType = 0x33 // alarm (AZ735, extended frame)
	X1GPS          PacketType = 0x34 // X1 position with odometer and ADC
	GPSLBS3        PacketType = 0x37 // GPS + LBS + module
	IMEIGPS        PacketType = 0x61 // IMEI, then a GPS block
	WiFi2          PacketType = 0x69 // Wi-Fi and cells
	GPSModular     PacketType = 0x70 // modular packet (extended frame)
	TimeRequest    PacketType = 0x8A // time calibration request
	Info           PacketType = 0x94 // information transmission
	Alarm          PacketType = 0x95 // alarm (JC100 and cameras)
	Serial         PacketType = 0x9B // external serial data
	GPS2           PacketType = 0xA0 // 4G GPS + LBS (GK310)
	LBS2           PacketType = 0xA1 // 4G LBS
	WiFi3          PacketType = 0xA2 // 4G Wi-Fi; GPS + LBS on some models
	FenceSingle    PacketType = 0xA3 // 4G single-fence alarm
	FenceMulti     PacketType = 0xA4 // 4G multi-fence alarm
	LBSAlarm       PacketType = 0xA5 // 4G LBS alarm
)

var packetNames = map[PacketType]string{
	Login: "login", GPS: "gps", GPSLBS6: "gps_lbs_6", GPSLBS: "gps_lbs",
	Status: "status", Satellite: "satellite", String: "string",
	GPSLBSStatus: "gps_lbs_status", WiFi: "wifi", LBSExtend: "lbs_extend",
	LBSStatus: "lbs_status", GPSPhone: "gps_phone", GPSLBSExtend: "gps_lbs_extend",
	GPSLBS2: "gps_lbs_2", Heartbeat: "heartbeat", LBSMultiple3: "lbs_multiple_3",
	GPSLBSStatus2: "gps_lbs_status_2", GPSLBSStatus3: "gps_lbs_status_3",
	LBSMultiple1: "lbs_multiple_1", AddressRequest: "address_request",
	LBSWiFi: "lbs_wifi", GPSLBS4: "gps_lbs_4", GPSLBS5: "gps_lbs_5",
	GPSLBSStatus4: "gps_lbs_status_4", AZ735Alarm: "az735_alarm", X1GPS: "x1_gps",
	GPSLBS3: "gps_lbs_3", IMEIGPS: "imei_gps", WiFi2: "wifi_2",
	GPSModular: "gps_modular", TimeRequest: "time_request", Info: "info",
	Alarm: "alarm", Serial: "serial", GPS2: "gps_2", LBS2: "lbs_2",
	WiFi3: "wifi_3", FenceSingle: "fence_single", FenceMulti: "fence_multi",
	LBSAlarm: "lbs_alarm",
}

func (t PacketType) String() string {
	if n, ok := packetNames[t]; ok {
		return n
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// needsEcho reports whether the device waits for the short echo reply to a
// packet of type t: logins, status and heartbeat packets and alarms.
// Position packets (0x10, 0x12, 0x22, ...) are not answered.
func (t PacketType) needsEcho() bool {
	switch t {
	case Login, Status, Heartbeat, GPSLBSStatus, LBSStatus, GPSLBSStatus2,
		GPSLBSStatus3, GPSLBSStatus4, AZ735Alarm, Alarm, FenceSingle,
		FenceMulti, LBSAlarm:
		return true
	}
	return false
}
