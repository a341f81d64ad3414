package store

import (
	"context"
	"fmt"
)

// Reseal rewrites every debtor and zone so that their personal fields are
// sealed with the store's current key: the second half of a key rotation
// (add the new key in front, restart, reseal, then drop the old key). It
// also seals values stored before keys were configured.
func Reseal(ctx context.Context, s Store) error {
	g := s.Geo()
	ds, err := g.Debtors().List(ctx)
	if err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	for _, d := range ds {
		if err := g.Debtors().Update(ctx, d); err != nil {
			return fmt.Errorf("reseal debtor %d: %w", d.ID, err)
		}
	}
	zs, err := g.Zones().List(ctx, 0)
	if err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	for _, z := range zs {
		if err := g.Zones().Update(ctx, z); err != nil {
			return fmt.Errorf("reseal zone %d: %w", z.ID, err)
		}
	}
	return nil
}
