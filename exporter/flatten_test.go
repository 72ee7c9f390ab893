package exporter

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func mustObject(t *testing.T, s string) *object {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	require.NoError(t, err)
	o, ok := v.(*object)
	require.True(t, ok, "not an object: %s", s)
	return o
}

// texts renders fields as path → text for comparisons.
func texts(fields []field) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		out[f.path] = f.v.text()
	}
	return out
}

func TestFlatten(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		opts     flattenOptions
		want     map[string]string
		kinds    map[string]vkind
		order    []string
		children map[string][]map[string]string
		lists    []string
	}{
		{
			name:  "scalars keep their order and kinds",
			json:  `{"id":"u1","name":"Minh Phát","amount":34500000.5,"is_public":false,"note":null,"short_id":"2026.00001"}`,
			want:  map[string]string{"id": "u1", "name": "Minh Phát", "amount": "34500000.5", "is_public": "FALSE", "note": "", "short_id": "2026.00001"},
			kinds: map[string]vkind{"amount": vNumber, "is_public": vBool, "note": vNull, "name": vString},
			order: []string{"id", "name", "amount", "is_public", "note", "short_id"},
		},
		{
			name: "nested objects become dotted paths",
			json: `{"id":"o1","owner":{"email":"an@x.vn","user_site":{"value":"Hồ Chí Minh","external_id":"S-HCM"}},
				"opportunity_process_stage":{"opportunity_stage":{"name":"Proposal"}}}`,
			want: map[string]string{"id": "o1", "owner.email": "an@x.vn", "owner.user_site.value": "Hồ Chí Minh",
				"owner.user_site.external_id": "S-HCM", "opportunity_process_stage.opportunity_stage.name": "Proposal"},
		},
		{
			name:  "a phone object is one readable text",
			json:  `{"id":"a1","phone":{"phone":"909080808","call_code":"+84","country_code":"VN","country_name":"Vietnam"},"phone_other":{}}`,
			want:  map[string]string{"id": "a1", "phone": "+84 909 080 808", "phone_other": ""},
			kinds: map[string]vkind{"phone": vPhone, "phone_other": vPhone},
		},
		{
			name: "phone parts on request",
			json: `{"id":"a1","phone_work":{"phone":"903456789","call_code":"84","country_code":"VN","country_name":"Vietnam"}}`,
			opts: flattenOptions{phoneParts: true},
			want: map[string]string{"id": "a1", "phone_work": "+84 903 456 789", "phone_work.phone": "903456789",
				"phone_work.call_code": "84", "phone_work.country_code": "VN", "phone_work.country_name": "Vietnam"},
			order: []string{"id", "phone_work", "phone_work.phone", "phone_work.call_code", "phone_work.country_code", "phone_work.country_name"},
		},
		{
			name: "custom fields one column each with master-data labels",
			json: `{"id":"o1","custom_fields":[{"name":"Kênh bán hàng","value":"m3"}],
				"custom_field_opportunity_values":[
					{"custom_field":{"name":"Kênh bán hàng","master_data_custom_fields":[{"id":"m1","value":"Online"},{"id":"m3","value":"Trực tiếp"}]},"value":"m3"},
					{"custom_field":{"name":"Vùng","master_data_custom_fields":[{"id":"n","value":"Bắc"},{"id":"s","value":"Nam"}]},"value":["n","s"]},
					{"custom_field":{"name":"Vùng 2","master_data_custom_fields":[{"id":"n","value":"Bắc"}]},"value":"[\"n\",\"x\"]"},
					{"custom_field":{"name":"Ghi chú","master_data_custom_fields":[]},"value":"m3"},
					{"custom_field":{"name":"Xác suất","type":"number"},"value":"60"},
					{"custom_field":{"name":"Trống"},"value":null}]}`,
			want: map[string]string{"id": "o1", "custom.Kênh bán hàng": "Trực tiếp", "custom.Vùng": "Bắc, Nam",
				"custom.Vùng 2": "Bắc, x", "custom.Ghi chú": "m3", "custom.Xác suất": "60", "custom.Trống": ""},
			kinds: map[string]vkind{"custom.Xác suất": vNumber},
		},
		{
			name: "the request echo is used when no values are rendered",
			json: `{"id":"l1","custom_fields":[{"name":"Nhu cầu","value":"CRM"},{"name":"Ngân sách","value":150000000}]}`,
			want: map[string]string{"id": "l1", "custom.Nhu cầu": "CRM", "custom.Ngân sách": "150000000"},
		},
		{
			name: "lists of scalars are joined, odd lists kept as JSON",
			json: `{"id":"o1","contacts_external_ids":["CT-001","CT-002"],"contacts_ids":[],"matrix":[[1,2]],"mixed":[1,{"a":1}]}`,
			want: map[string]string{"id": "o1", "contacts_external_ids": "CT-001, CT-002", "contacts_ids": "",
				"matrix": "[[1,2]]", "mixed": `[1,{"a":1}]`},
		},
		{
			name: "top-level lists of objects are child rows",
			json: `{"id":"o1","short_id":"2026.00001",
				"stage_logs":[{"creator":{"email":"an@x.vn"},"created_at":"2026-01-09T02:48:00.000Z","new_stage":"Prospecting"},
				              {"creator":{"email":"an@x.vn"},"created_at":"2026-01-20T03:00:00.000Z","new_stage":"Proposal"}],
				"accounts_opportunities":[{"account":{"id":"a1","name":"Minh Phát","tags":[{"x":1}]}}],
				"invoices":[]}`,
			opts: flattenOptions{children: []string{"invoices"}},
			want: map[string]string{"id": "o1", "short_id": "2026.00001"},
			children: map[string][]map[string]string{
				"stage_logs": {
					{"creator.email": "an@x.vn", "created_at": "2026-01-09T02:48:00.000Z", "new_stage": "Prospecting"},
					{"creator.email": "an@x.vn", "created_at": "2026-01-20T03:00:00.000Z", "new_stage": "Proposal"},
				},
				"accounts_opportunities": {{"account.id": "a1", "account.name": "Minh Phát", "account.tags": `[{"x":1}]`}},
			},
			lists: []string{"stage_logs", "accounts_opportunities", "invoices"},
		},
		{
			name: "an empty list that is not a known child stays a column",
			json: `{"id":"a1","contributors":[]}`,
			want: map[string]string{"id": "a1", "contributors": ""},
		},
		{
			name: "strings with escapes and invalid bytes",
			json: "{\"id\":\"x\",\"name\":\"Tab\\there \\u00e9 \\\"q\\\"\",\"bad\":\"a\xffb\"}",
			want: map[string]string{"id": "x", "name": "Tab\there é \"q\"", "bad": "a\ufffdb"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := flatten(mustObject(t, tc.json), &tc.opts)
			require.Equal(t, tc.want, texts(f.fields))
			for path, k := range tc.kinds {
				v, ok := f.get(path)
				require.True(t, ok, path)
				require.Equal(t, k, v.kind, path)
			}
			if tc.order != nil {
				var got []string
				for _, fl := range f.fields {
					got = append(got, fl.path)
				}
				require.Equal(t, tc.order, got)
			}
			gotChildren := map[string][]map[string]string{}
			for _, c := range f.children {
				gotChildren[c.key] = append(gotChildren[c.key], texts(c.fields))
			}
			if tc.children == nil {
				tc.children = map[string][]map[string]string{}
			}
			require.Equal(t, tc.children, gotChildren)
			require.Equal(t, tc.lists, f.lists)
		})
	}
}

func TestFlattenRecordWithoutID(t *testing.T) {
	a := flatten(mustObject(t, `{"name":"Website"}`), &flattenOptions{})
	b := flatten(mustObject(t, `{"name":"Referral"}`), &flattenOptions{})
	require.NotEqual(t, a.id, b.id, "records without an id are told apart by their content")
}

func TestDecodeJSONRoundTrip(t *testing.T) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5,-3e2,true,false,null,"x\"y"],"b":{"c":{}}}`} {
		v, err := decodeJSON([]byte(s))
		require.NoError(t, err)
		require.JSONEq(t, s, compactJSON(v))
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `[1,]`, `{"a":1}x`, `nul`} {
		_, err := decodeJSON([]byte(bad))
		require.Error(t, err, bad)
	}
}
