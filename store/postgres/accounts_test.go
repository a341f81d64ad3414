package postgres_test

import (
	"context"
	"testing"

	"dozor/store"
	"dozor/store/postgres"
	"dozor/store/storetest"
)

func TestAccounts(t *testing.T) {
	url := testURL(t)
	storetest.RunAccounts(t, func(t *testing.T) store.Store { return openTest(t, url) },
		func(s store.Store, sql string) error {
			_, err := s.(*postgres.Store).Pool().Exec(context.Background(), sql)
			return err
		})
}
