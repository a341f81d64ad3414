package postgres_test

import (
	"testing"

	"dozor/store"
	"dozor/store/storetest"
)

func TestPlanning(t *testing.T) {
	url := testURL(t)
	storetest.RunPlanning(t, func(t *testing.T) store.Store { return openTest(t, url) })
}
