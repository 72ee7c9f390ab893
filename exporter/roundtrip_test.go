package exporter

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// reimport maps the columns of a default export (headers are the API's paths) back to
// the fields of each entity, so an export can be imported again unchanged.
var reimport = map[string]string{
	"employees": `
entity: employees
columns:
  external_id: external_id
  last_name: last_name
  first_name: first_name
  email: email
  site_id: site_id
  dimension_id: dimension_id
`,
	"accounts": `
entity: accounts
columns:
  external_id: external_id
  name: name
  long_name: long_name
  tax_identification_number: tax_identification_number
  phone: phone
  email: email
  address: address
  website: website
  industry_id: industry_id
  source_id: source_id
  owner_id: owner_id
  note: note
  is_public: is_public
  account_type: account_type
  description: description
`,
	"contacts": `
entity: contacts
columns:
  external_id: external_id
  last_name: last_name
  first_name: first_name
  gender: gender
  birthday: birthday
  email: email
  phone_work: phone_work
  phone_other: phone_other
  department: department
  description: description
  address: address
  website: website
  account_external_id: account_external_id
  owner_id: owner_id
`,
	"leads": `
entity: leads
columns:
  external_id: external_id
  name: name
  account_name: account_name
  contact_name: contact_name
  job_title: job_title
  phone: phone
  email: email
  lead_status: lead_status
  industry: industry
  source: source
  "Nhu cầu": "custom_fields.Nhu cầu"
  owner_id: owner_id
  external_from: external_from
`,
	"products": `
entity: products
columns:
  external_id: external_id
  name: name
  description: description
  price: price
  supplier_id: supplier_id
  unit_of_measure_id: unit_of_measure_id
  category_id: category_id
  sub_category_id: sub_category_id
`,
	// date_open is left out: the emulator answers it as "2026-01-12T00:00:00+00:00" and the
	// importer compares it with the row's "2026-01-12" as text, so it would count the
	// row as updated (with the same value). The export itself writes the right day,
	// which the record comparison at the end of the test checks.
	"opportunities": `
entity: opportunities
columns:
  external_id: external_id
  name: name
  account_external_id: account_external_id
  contacts_external_ids: {field: contacts_external_ids, separator: ","}
  date_closed: date_closed
  sale_process_stage: sale_process_stage
  sale_process: sale_process
  source: source
  type: type
  forecast: forecast
  owner_email: owner_email
  owner_external_id: owner_external_id
  "Kênh bán hàng": "custom_fields.Kênh bán hàng"
`,
}

var entitiesInOrder = []string{"employees", "accounts", "contacts", "leads", "products", "opportunities"}

// TestRoundTrip imports the sample migration, exports each entity, and imports the
// export again: every row comes back unchanged. The sandbox starts with the seed's
// master data and employees only (the seed's own account ACC-002 has a phone number
// one digit short, which an import rightly refuses).
func TestRoundTrip(t *testing.T) {
	ds := oplatest.SampleDataset()
	ds.Accounts, ds.Contacts, ds.Leads, ds.Opportunities = nil, nil, nil, nil
	srv, c := newServer(t, oplatest.Options{Dataset: ds})
	prof := c.Profile()
	dir := t.TempDir()
	samples := filepath.Join("..", "samples", "migration")
	ctx := context.Background()
	for _, entity := range entitiesInOrder {
		m, err := mapping.Load(filepath.Join(samples, "mappings", entity+".yaml"), prof)
		require.NoError(t, err)
		rep, err := importer.Run(ctx, importer.Options{Mapping: m, Client: c, Input: filepath.Join(samples, entity+".csv"),
			Output: filepath.Join(dir, entity+".import.xlsx")})
		require.NoError(t, err, entity)
		require.Positive(t, rep.Summary.Created, entity) // the sample also has rows that fail on purpose
	}
	before := srv.Emulator().Stats().Records
	records := map[string][]map[string]any{}
	for _, entity := range entitiesInOrder {
		records[entity] = srv.Emulator().Records(entity)
	}

	for _, entity := range entitiesInOrder {
		for _, ext := range []string{".csv", ".xlsx"} {
			out := filepath.Join(dir, entity+ext)
			exp, err := Run(ctx, Options{Client: c, Entity: entity, Output: out})
			require.NoError(t, err, entity)
			require.Equal(t, before[entity], exp.Records, entity)

			m, err := mapping.Parse([]byte(reimport[entity]), entity+".yaml", prof)
			require.NoError(t, err)
			rep, err := importer.Run(ctx, importer.Options{Mapping: m, Client: c, Input: out,
				Output: filepath.Join(dir, entity+ext+".reimport.xlsx")})
			require.NoError(t, err, entity)
			s := rep.Summary
			require.Zero(t, s.Failed, "%s%s: %v", entity, ext, rep.Errors)
			require.Equal(t, exp.Records, s.Unchanged, "%s%s: every row unchanged (created %d, updated %d)", entity, ext, s.Created, s.Updated)
		}
	}
	require.Equal(t, before, srv.Emulator().Stats().Records)
	for _, entity := range entitiesInOrder {
		require.Equal(t, records[entity], srv.Emulator().Records(entity), "%s: the CRM is exactly as before", entity)
	}

	// date_open (left out of the re-import above) is exported as the day it was imported
	out := filepath.Join(dir, "opps-open.csv")
	_, err := Run(ctx, Options{Client: c, Entity: "opportunities", Output: out, Spec: &Spec{Columns: []ColumnSpec{{Path: "external_id"}, {Path: "date_open"}}}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, row := range readCSV(t, out)[1:] {
		got[row[0]] = row[1]
	}
	src := readCSV(t, filepath.Join(samples, "opportunities.csv"))
	for i, id := range colValues(t, src, "Mã CH") {
		if day, ok := got[id]; ok {
			want := colValues(t, src, "Ngày mở")[i] // dd/mm/yyyy
			require.Equal(t, want[6:]+"-"+want[3:5]+"-"+want[:2], day, id)
		}
	}
}
