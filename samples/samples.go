// Package samples holds the sample data that ships inside the oplabatch binary.
package samples

import _ "embed"

// SandboxSeed is the JSON dataset (oplatest.Dataset) that seeds `oplabatch sandbox`,
// `oplabatch demo` and `--sandbox` runs: master data (industries, sources, lead statuses,
// sales processes with stages, custom field definitions) and a few Vietnamese employees,
// accounts, contacts, products, a lead and an opportunity. Every id in it is a fixed uuid,
// so runs are repeatable; record lists are oldest first.
//
//go:embed sandbox/seed.json
var SandboxSeed []byte
