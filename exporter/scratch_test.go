package exporter

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

func TestScratch(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Seed: 1})
	defer srv.Close()
	c := srv.Client(func(o *opla.Options) { o.Sleep = func(ctx context.Context, _ time.Duration) error { return nil } })
	for _, e := range Entities() {
		for _, ext := range []string{".csv", ".xlsx"} {
			rep, err := Run(context.Background(), Options{Client: c, Entity: e, Output: "/tmp/exp/" + e + ext})
			if err != nil {
				t.Fatal(e, err)
			}
			t.Logf("%s: %+v", e, *rep)
		}
	}
	_ = os.Stdout
}
