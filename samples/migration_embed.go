package samples

import "embed"

// Migration is the sample migration (samples/migration): the workbook, its job and its
// mappings, shipped in the binary so `oplabatch demo` runs anywhere.
//
//go:embed migration/migration.xlsx migration/job.yaml migration/mappings/*.yaml
var Migration embed.FS
