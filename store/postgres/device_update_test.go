package postgres_test

import (
	"testing"

	"dozor/store"
	"dozor/store/storetest"
)

func TestDeviceUpdate(t *testing.T) {
	url := testURL(t)
	storetest.RunDeviceUpdate(t, func(t *testing.T) store.Store { return openTest(t, url) })
}

func TestEnrolmentScope(t *testing.T) {
	url := testURL(t)
	storetest.RunEnrolmentScope(t, func(t *testing.T) store.Store { return openTest(t, url) })
}
