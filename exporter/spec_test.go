package exporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec([]byte(`
entity: opportunities
sheet: Cơ hội
timezone: Asia/Bangkok
columns:
  - short_id
  - {path: amount, header: Giá trị, type: number, format: "#,##0"}
where:
  stage_compact: CLOSE_WON
  owner.email: [a@x.vn, b@x.vn]
  amount: {gte: 1000000, lt: 5e6}
since: 2026-11-01
until: 01/12/2026
date_field: date_closed
children: [stage_logs, invoices]
`), "m.yaml")
	require.NoError(t, err)
	require.Equal(t, "opportunities", s.Entity)
	require.Equal(t, "Cơ hội", s.Sheet)
	require.Equal(t, "Asia/Bangkok", s.Timezone)
	require.Equal(t, []ColumnSpec{{Path: "short_id", Line: 6}, {Path: "amount", Header: "Giá trị", Type: "number", Format: "#,##0", Line: 7}}, s.Columns)
	require.Len(t, s.Where, 4)
	require.Equal(t, "in", s.Where[1].Op)
	require.Equal(t, []string{"a@x.vn", "b@x.vn"}, s.Where[1].Values)
	require.Equal(t, []string{"stage_logs", "invoices"}, s.childOrder)
	require.Equal(t, "2026-11-01", s.Since)

	none, err := ParseSpec([]byte("children: []\n"), "m.yaml")
	require.NoError(t, err)
	require.NotNil(t, none.Children)
	require.Empty(t, none.Children)
	all, err := ParseSpec([]byte("sheet: X\n"), "m.yaml")
	require.NoError(t, err)
	require.Nil(t, all.Children)
	empty, err := ParseSpec(nil, "m.yaml")
	require.NoError(t, err)
	require.Nil(t, empty.Columns)

	bad := []struct{ yaml, want string }{
		{"- a\n", "m.yaml:1: want a mapping"},
		{"colums: [a]\n", `m.yaml:1: unknown key "colums"`},
		{"columns: a\n", "columns: want a list"},
		{"columns:\n  - {path: a, type: money}\n", `type "money": want text, number, date, datetime or bool`},
		{"columns:\n  - {header: A}\n", "a column has no path"},
		{"columns:\n  - {path: a, width: 3}\n", `unknown column key "width"`},
		{"where:\n  amount: {about: 3}\n", `unknown condition "about"`},
		{"where:\n  amount: {gt: lots}\n", "is neither a number nor a date"},
		{"where:\n  date_closed: {since: soon}\n", "is not a date"},
		{"where:\n  x: {empty: maybe}\n", "want true or false"},
		{"children: 3\n", "children: want a list"},
		{"children:\n  stage_logs: {cols: [a]}\n", `unknown key "cols" in child stage_logs`},
		{"entity: [a]\n", "want a single value"},
		{"columns: [a\n", "m.yaml"},
	}
	for _, tc := range bad {
		_, err := ParseSpec([]byte(tc.yaml), "m.yaml")
		require.ErrorContains(t, err, tc.want, tc.yaml)
	}
}

func TestConditions(t *testing.T) {
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	rec := flatten(mustObject(t, `{"id":"o1","name":"Triển khai CRM","stage_compact":"CLOSE_WON","amount":34500000,
		"date_closed":"2026-11-30","created_at":"2026-10-31T17:30:00.000Z","note":"",
		"custom_field_opportunity_values":[{"custom_field":{"name":"Kênh"},"value":"Online"}]}`), &flattenOptions{})
	tests := []struct {
		path, op string
		values   []string
		want     bool
	}{
		{"stage_compact", "eq", []string{"close_won"}, true},
		{"stage_compact", "ne", []string{"CLOSE_WON"}, false},
		{"stage_compact", "in", []string{"OPEN", "CLOSE_WON"}, true},
		{"stage_compact", "not_in", []string{"OPEN"}, true},
		{"name", "contains", []string{"crm"}, true},
		{"amount", "gte", []string{"34500000"}, true},
		{"amount", "gt", []string{"34500000"}, false},
		{"amount", "lt", []string{"1e8"}, true},
		{"amount", "lte", []string{"1000"}, false},
		{"date_closed", "since", []string{"2026-11-01"}, true},
		{"date_closed", "until", []string{"2026-12-01"}, true},
		{"date_closed", "until", []string{"2026-11-30"}, false},
		{"date_closed", "gte", []string{"30/11/2026"}, true},
		// 17:30Z on 31 October is 00:30 on 1 November in Vietnam
		{"created_at", "since", []string{"2026-11-01"}, true},
		{"created_at", "until", []string{"2026-11-01T00:00:00+07:00"}, false},
		{"note", "empty", []string{"true"}, true},
		{"missing", "empty", []string{"true"}, true},
		{"missing", "eq", []string{"x"}, false},
		{"Kênh", "eq", []string{"online"}, true},
		{"custom.Kênh", "eq", []string{"Online"}, true},
		{"name", "since", []string{"2026-01-01"}, false},
	}
	for _, tc := range tests {
		c := Condition{Path: tc.path, Op: tc.op, Values: tc.values}
		require.NoError(t, c.check())
		require.Equal(t, tc.want, c.match(rec, hcm), "%s %s %v", tc.path, tc.op, tc.values)
	}
}
