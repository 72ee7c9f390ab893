package oplatest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReferenceChecks(t *testing.T) {
	defaultProcess := seed.SalesProcesses[0]
	tests := []struct {
		name     string
		op       string
		miss     func(map[string]any)
		want     string
		hit      func(map[string]any)
		hitCheck func(t *testing.T, rec map[string]any)
	}{
		{"contact account", "contacts.create",
			func(b map[string]any) { b["account_external_id"] = "ACC-404" }, `account_external_id "ACC-404" does not exist`,
			func(b map[string]any) { b["account_external_id"] = "ACC-002" }, nil},
		{"contact account none", "contacts.create",
			func(b map[string]any) { b["owner_id"] = "mnv_001" }, `owner_id "mnv_001" does not exist`,
			func(b map[string]any) { b["account_external_id"] = "" }, nil},
		{"contact update owner", "contacts.update",
			func(b map[string]any) { b["owner_id"] = "MNV_404" }, `owner_id "MNV_404" does not exist`,
			func(b map[string]any) { b["owner_id"] = "MNV_003" },
			func(t *testing.T, rec map[string]any) {
				require.Equal(t, "cuong.le@example.vn", rec["owner"].(map[string]any)["email"])
				require.Equal(t, "MNV_003", rec["updated_by"])
			}},
		{"account source id", "accounts.create",
			func(b map[string]any) { b["source_id"] = "Website" }, `source_id "Website" does not exist`,
			func(b map[string]any) { b["source_id"] = masterID(t, seed.Sources, "Event") }, nil},
		{"account industry id", "accounts.create",
			func(b map[string]any) { b["industry_id"] = "Retail" }, `industry_id "Retail" does not exist`,
			func(b map[string]any) { b["industry_id"] = masterID(t, seed.Industries, "Food & Beverage") }, nil},
		{"account created_by", "accounts.update",
			func(b map[string]any) { b["created_by"] = "X" }, `created_by "X" does not exist`,
			func(b map[string]any) { b["updated_by"] = "MNV_004"; b["owner_id"] = "" },
			func(t *testing.T, rec map[string]any) { require.Nil(t, rec["owner"]) }},
		{"opportunity contacts", "opportunities.create",
			func(b map[string]any) { b["contacts_external_ids"] = []any{"CT-001", "CT-404"} }, `contacts_external_ids "CT-404" does not exist`,
			func(b map[string]any) { b["contacts_external_ids"] = []any{"CT-001", "CT-002", ""} }, nil},
		{"opportunity product", "opportunities.create",
			func(b map[string]any) {
				b["opportunities_products"] = []any{
					map[string]any{"product_external_id": "PRD-001", "quantity": 1, "price": 1},
					map[string]any{"product_external_id": "P-9", "quantity": 1, "price": 1},
				}
			}, `opportunities_products.1.product_external_id "P-9" does not exist`,
			func(b map[string]any) {
				b["opportunities_products"] = []any{map[string]any{"product_external_id": "PRD-003", "quantity": 3, "price": 5000000, "discount": 0}}
			},
			func(t *testing.T, rec map[string]any) { require.Equal(t, 15000000.0, rec["amount"]) }},
		{"opportunity source name", "opportunities.create",
			func(b map[string]any) { b["source"] = "Nowhere" }, `source "Nowhere" does not exist`,
			func(b map[string]any) { b["source"] = "REFERRAL" },
			func(t *testing.T, rec map[string]any) { require.Equal(t, "Referral", rec["source"]) }},
		{"opportunity process", "opportunities.create",
			func(b map[string]any) { b["sale_process"] = "sales process default" }, `sale_process "sales process default" does not exist`,
			func(b map[string]any) { b["sale_process"] = defaultProcess.ID }, nil},
		{"opportunity stage of another process", "opportunities.create",
			func(b map[string]any) { b["sale_process_stage"] = "Khảo sát" }, `sale_process_stage "Khảo sát" does not exist`,
			func(b map[string]any) {
				b["sale_process"] = "Quy trình dự án"
				b["sale_process_stage"] = "Khảo sát"
			},
			func(t *testing.T, rec map[string]any) {
				require.Equal(t, "Khảo sát", rec["opportunity_process_stage"].(map[string]any)["opportunity_stage"].(map[string]any)["name"])
			}},
		{"opportunity stage by id", "opportunities.create",
			func(b map[string]any) { b["sale_process_stage"] = seed.SalesProcesses[1].Stages[0].ID }, `sale_process_stage "` + seed.SalesProcesses[1].Stages[0].ID + `" does not exist`,
			func(b map[string]any) { b["sale_process_stage"] = defaultProcess.Stages[3].ID },
			func(t *testing.T, rec map[string]any) {
				require.Equal(t, "Negotiation", rec["opportunity_process_stage"].(map[string]any)["opportunity_stage"].(map[string]any)["name"])
			}},
		{"opportunity contributor", "opportunities.create",
			func(b map[string]any) {
				b["contributors"] = []any{map[string]any{"email": "nobody@example.vn", "permission": "READ_ONLY"}}
			}, `contributors.0.email "nobody@example.vn" does not exist`,
			func(b map[string]any) {
				b["contributors"] = []any{map[string]any{"email": "Dung.Pham@Example.vn", "permission": "READ_WRITE"}}
			}, nil},
		{"opportunity owner", "opportunities.create",
			func(b map[string]any) { b["owner_external_id"] = "MNV_404" }, `owner_external_id "MNV_404" does not exist`,
			func(b map[string]any) { b["owner_external_id"] = ""; b["owner_email"] = "duc.vo@example.vn" },
			func(t *testing.T, rec map[string]any) {
				require.Equal(t, seedID(t, "employees", "MNV_005"), rec["owner_id"])
			}},
		{"opportunity owner email", "opportunities.create",
			func(b map[string]any) { b["owner_email"] = "an@example.vn" }, `owner_email "an@example.vn" does not exist`,
			func(b map[string]any) { b["owner_email"] = "" }, nil},
		{"opportunity update stage of its process", "opportunities.update",
			func(b map[string]any) { b["sale_process_stage"] = "Thắng" }, `sale_process_stage "Thắng" does not exist`,
			func(b map[string]any) { b["sale_process_stage"] = "Closed Won"; delete(b, "stage_close") },
			func(t *testing.T, rec map[string]any) { require.Equal(t, "CLOSE_WON", rec["stage_compact"]) }},
		{"opportunity update product", "opportunities.update",
			func(b map[string]any) {
				b["products"] = []any{map[string]any{"product_external_id": "PRD-404", "quantity": 1, "price": 1}}
			}, `products.0.product_external_id "PRD-404" does not exist`,
			func(b map[string]any) {
				b["opportunities_products"] = []any{}
				b["products"] = []any{map[string]any{"product_external_id": "PRD-001", "quantity": 1, "price": 100}}
			},
			func(t *testing.T, rec map[string]any) { require.Equal(t, 100.0, rec["amount"]) }},
		{"add contributor", "opportunities.add_contributor",
			func(b map[string]any) { b["email"] = "x@example.vn" }, `email "x@example.vn" does not exist`,
			func(b map[string]any) { b["email"] = "BINH.TRAN@example.vn" },
			func(t *testing.T, rec map[string]any) {
				require.Len(t, rec["users_opportunities"], 1, "an existing contributor is updated, not added")
				require.Equal(t, "READ_WRITE", rec["users_opportunities"].([]any)[0].(map[string]any)["permission"])
			}},
		{"lead status", "leads.create",
			func(b map[string]any) { b["lead_status"] = "new" }, `lead_status "new" does not exist`,
			func(b map[string]any) { b["lead_status"] = "Qualified" }, nil},
		{"lead industry", "leads.create",
			func(b map[string]any) { b["industry"] = "Agriculture" }, `industry "Agriculture" does not exist`,
			func(b map[string]any) { b["industry"] = "food & beverage" },
			func(t *testing.T, rec map[string]any) { require.Equal(t, "Food & Beverage", rec["industry"]) }},
		{"lead source", "leads.update",
			func(b map[string]any) { b["source"] = "Radio" }, `source "Radio" does not exist`,
			func(b map[string]any) { b["source"] = nil }, nil},
		{"lead owner", "leads.update",
			func(b map[string]any) { b["owner_id"] = "12345" }, `owner_id "12345" does not exist`,
			func(b map[string]any) { b["owner_id"] = "MNV_002" }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Options{})
			c := caseFor(t, tc.op)
			tc.miss(c.body)
			before := s.Emulator().Snapshot()
			r := callOp(t, s, c.op, c.params, c.body)
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			require.Equal(t, []string{tc.want}, r.messages(t))
			require.Equal(t, before, s.Emulator().Snapshot(), "a refused write changes nothing")

			c = caseFor(t, tc.op)
			tc.hit(c.body)
			r = callOp(t, s, c.op, c.params, c.body)
			require.Equal(t, c.status, r.status, "body: %s", r.body)
			if tc.hitCheck != nil {
				tc.hitCheck(t, r.object(t))
			}
		})
	}
}

func TestReferenceMessagesAreCollected(t *testing.T) {
	s := newServer(t, Options{})
	c := caseFor(t, "opportunities.create")
	c.body["account_external_id"] = "ACC-9"
	c.body["source"] = "TV"
	c.body["custom_fields"] = []any{map[string]any{"name": "Màu", "value": "x"}}
	r := callOp(t, s, c.op, nil, c.body)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, []string{`account_external_id "ACC-9" does not exist`, `source "TV" does not exist`, `custom_fields.0.name "Màu" does not exist`}, r.messages(t))
}

func TestDeletedProductIsNoReference(t *testing.T) {
	s := newServer(t, Options{})
	up := caseFor(t, "products.upsert")
	up.body["deleted"] = 1
	r := callOp(t, s, up.op, nil, up.body)
	require.Equal(t, http.StatusCreated, r.status, "body: %s", r.body)

	c := caseFor(t, "opportunities.create")
	r = callOp(t, s, c.op, nil, c.body)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, []string{`opportunities_products.0.product_external_id "PRD-001" does not exist`}, r.messages(t))
	require.Equal(t, http.StatusNotFound, callOp(t, s, "products.update", []string{"PRD-001"}, caseFor(t, "products.update").body).status)
	list := callOp(t, s, "products.list", nil, nil).list(t)
	require.Len(t, list, 2)

	up.body["deleted"] = 0
	require.Equal(t, http.StatusCreated, callOp(t, s, up.op, nil, up.body).status)
	require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
	require.Len(t, callOp(t, s, "products.list", nil, nil).list(t), 3)
}

func TestCustomFields(t *testing.T) {
	kenh := seed.CustomFields["opportunities"][0]
	tests := []struct {
		name   string
		op     string
		fields any
		want   []string
		stored []any // custom_fields as stored (nil: not checked)
	}{
		{"select by value stores the id", "opportunities.create",
			[]any{map[string]any{"name": "Kênh bán hàng", "value": "Đại lý"}}, nil,
			[]any{map[string]any{"name": "Kênh bán hàng", "value": kenh.Options[1].ID}}},
		{"select by id", "opportunities.create",
			[]any{map[string]any{"name": "Kênh bán hàng", "value": kenh.Options[2].ID}}, nil,
			[]any{map[string]any{"name": "Kênh bán hàng", "value": kenh.Options[2].ID}}},
		{"select miss", "opportunities.create",
			[]any{map[string]any{"name": "Kênh bán hàng", "value": "online"}}, []string{`custom_fields.0.value "online" does not exist`}, nil},
		{"unknown name", "opportunities.create",
			[]any{map[string]any{"name": "Ghi chú nội bộ", "value": ""}, map[string]any{"name": "X", "value": "1"}},
			[]string{`custom_fields.1.name "X" does not exist`}, nil},
		{"number", "opportunities.create",
			[]any{map[string]any{"name": "Xác suất thắng (%)", "value": "75.5"}}, nil, nil},
		{"not a number", "opportunities.create",
			[]any{map[string]any{"name": "Xác suất thắng (%)", "value": "75%"}}, []string{`custom_fields.0.value "75%" is not a valid number`}, nil},
		{"date", "opportunities.create",
			[]any{map[string]any{"name": "Ngày ký dự kiến", "value": "2027-01-15"}}, nil, nil},
		{"not a date", "opportunities.create",
			[]any{map[string]any{"name": "Ngày ký dự kiến", "value": "15/01/2027"}}, []string{`custom_fields.0.value "15/01/2027" is not a valid date`}, nil},
		{"empty value clears", "opportunities.create",
			[]any{map[string]any{"name": "Kênh bán hàng", "value": ""}}, nil,
			[]any{map[string]any{"name": "Kênh bán hàng", "value": ""}}},
		{"lead fields", "leads.create",
			[]any{map[string]any{"name": "Kênh bán hàng", "value": "Online"}}, []string{`custom_fields.0.name "Kênh bán hàng" does not exist`}, nil},
		{"account name=value", "accounts.update",
			[]any{"Hạng khách hàng = Đồng"}, nil,
			[]any{map[string]any{"name": "Hạng khách hàng", "value": seed.CustomFields["accounts"][0].Options[2].ID}}},
		{"account without =", "accounts.update",
			[]any{"Vàng"}, []string{`custom_fields.0 "Vàng" must be "name=value"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Options{})
			c := caseFor(t, tc.op)
			c.body["custom_fields"] = tc.fields
			r := callOp(t, s, c.op, c.params, c.body)
			if tc.want != nil {
				require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
				require.Equal(t, tc.want, r.messages(t))
				return
			}
			require.Equal(t, c.status, r.status, "body: %s", r.body)
			if tc.stored != nil {
				entity := map[string]string{"opportunities.create": "opportunities", "accounts.update": "accounts"}[tc.op]
				snap := s.Emulator().Snapshot()
				recs := *snap.records(entity)
				var got map[string]any
				for _, rec := range recs {
					if rec["id"] == r.object(t)["id"] {
						got = rec
					}
				}
				require.Equal(t, tc.stored, got["custom_fields"])
			}
		})
	}
}

func TestCustomFieldValuesInAnswers(t *testing.T) {
	s := newServer(t, Options{})
	opp := callOp(t, s, "opportunities.get_by_external_id", []string{"OPP-001"}, nil).object(t)
	values := opp["custom_field_opportunity_values"].([]any)
	require.Len(t, values, 2)
	first := values[0].(map[string]any)
	require.Equal(t, "Kênh bán hàng", first["custom_field"].(map[string]any)["name"])
	options := first["custom_field"].(map[string]any)["master_data_custom_fields"].([]any)
	require.Len(t, options, 3)
	require.Equal(t, map[string]any{"id": first["value"], "value": "Trực tiếp"}, options[2])

	// An update merges by name.
	c := caseFor(t, "opportunities.update")
	c.body["custom_fields"] = []any{map[string]any{"name": "Xác suất thắng (%)", "value": "90"}}
	r := callOp(t, s, c.op, c.params, c.body)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	values = r.object(t)["custom_field_opportunity_values"].([]any)
	require.Len(t, values, 2)
	require.Equal(t, "90", values[1].(map[string]any)["value"])

	acc := callOp(t, s, "accounts.get", []string{"ACC-001"}, nil).object(t)
	require.NotContains(t, acc, "custom_fields", "account answers do not echo the name=value strings")
	require.Len(t, acc["custom_field_account_values"], 1)
	lead := callOp(t, s, "leads.list", nil, nil).list(t)[0]
	require.Len(t, lead["custom_field_lead_values"], 2)
}
