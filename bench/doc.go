//go:build bench

// Package bench is oplabatch's benchmark suite: import efficiency against a 20 ms
// emulator, requests per written row by mode, a serial baseline, adaptive concurrency
// under a rate limit, reading speed and peak RSS of validate and import --dry-run, and
// export of 200k opportunities. Everything runs against the in-process emulator
// (opla/oplatest) on loopback.
//
// The files carry the build tag "bench", so the default `go test ./...` never runs them.
// Run the whole suite with
//
//	bash bench/run          # about 6 minutes on a 2-core machine; writes bench/RESULTS.md
//	bash bench/run quick    # a smaller subset, about a minute (prints only)
//
// or one benchmark by hand:
//
//	go test -tags bench -run '^$' -bench ImportEfficiency -benchtime 1x ./bench
//
// Every benchmark reports its figures as benchmark metrics and, when BENCH_OUT names a
// file, appends them to it as JSON lines; bench/report turns those into the table.
package bench
