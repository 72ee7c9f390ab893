package opla_test

// Contract tests: the typed client against the in-process emulator (opla/oplatest), which
// is strict where the vendor page leaves room. What passes here is what the importer and
// exporter can rely on.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// emulated is an emulator and a client pointed at it that records its retry delays.
type emulated struct {
	srv    *oplatest.Server
	emu    *oplatest.Emulator
	client *opla.Client

	mu     sync.Mutex
	sleeps []time.Duration
	onWait func(d time.Duration) // run instead of waiting, e.g. to lift a rate limit
}

func emulate(t *testing.T, opts oplatest.Options, mods ...func(*opla.Options)) *emulated {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	e := &emulated{srv: oplatest.NewServer(opts)}
	t.Cleanup(e.srv.Close)
	e.emu = e.srv.Emulator()
	require.Equal(t, opts.Token, e.srv.Token())
	e.client = e.srv.Client(append([]func(*opla.Options){func(o *opla.Options) {
		o.Sleep = e.sleep
		o.Rand = func() float64 { return 0.5 }
	}}, mods...)...)
	return e
}

func (e *emulated) sleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	e.sleeps = append(e.sleeps, d)
	fn := e.onWait
	e.mu.Unlock()
	if fn != nil {
		fn(d)
	}
	return ctx.Err()
}

func (e *emulated) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.sleeps)
}

func (e *emulated) hits(pattern string) int { return e.emu.Stats().Requests[pattern] }

func idOf(t *testing.T, items []opla.NamedItem, name string) string {
	t.Helper()
	i := slices.IndexFunc(items, func(it opla.NamedItem) bool { return it.Name == name })
	require.GreaterOrEqual(t, i, 0, "%q not in %v", name, items)
	return items[i].ID
}

func find[T any](t *testing.T, seq func(func(T, error) bool), pred func(T) bool) (T, bool) {
	t.Helper()
	all, err := collect(seq)
	require.NoError(t, err)
	i := slices.IndexFunc(all, pred)
	if i < 0 {
		var zero T
		return zero, false
	}
	return all[i], true
}

// The read-modify-write bodies: an update sends every required field, so it starts from
// the record as read.

func contactUpdate(c *opla.Contact) opla.ContactUpdate {
	return opla.ContactUpdate{
		FirstName: c.FirstName, LastName: c.LastName, Gender: c.Gender, Email: c.Email, Birthday: c.Birthday,
		Department: c.Department, Description: c.Description, ExternalID: c.ExternalID, Address: c.Address,
		PhoneWork: c.PhoneWork, PhoneOther: c.PhoneOther, Website: c.Website, OwnerID: c.OwnerID,
	}
}

func accountUpdate(a *opla.Account) opla.AccountUpdate {
	return opla.AccountUpdate{
		Name: a.Name, LongName: a.LongName, Description: a.Description, TaxIdentificationNumber: a.TaxIdentificationNumber,
		Email: a.Email, ExternalID: a.ExternalID, Address: a.Address, Phone: a.Phone, Website: a.Website, IsPublic: a.IsPublic,
		Note: a.Note, AccountType: a.AccountType.String(), SourceID: a.SourceID, IndustryID: a.IndustryID,
		OwnerID: a.OwnerID, CreatedBy: a.CreatedBy, UpdatedBy: a.UpdatedBy,
	}
}

func opportunityUpdate(t *testing.T, o *opla.Opportunity) opla.OpportunityUpdate {
	u := opla.OpportunityUpdate{
		Name: o.Name, ExternalID: o.ExternalID, SaleProcessStage: o.StageName(), DateClosed: o.DateClosed,
	}
	for _, l := range o.OpportunitiesProducts {
		q, err := l.Quantity.Float64()
		require.NoError(t, err)
		p, err := l.Price.Float64()
		require.NoError(t, err)
		d, err := l.Discount.Float64()
		require.NoError(t, err)
		u.OpportunitiesProducts = append(u.OpportunitiesProducts, opla.OpportunityProduct{ProductExternalID: l.ExternalID(), Quantity: q, Price: p, Discount: d})
	}
	return u
}

func labels(values []opla.CustomFieldValueOut) map[string]string {
	out := map[string]string{}
	for _, v := range values {
		out[v.CustomField.Name] = v.Label()
	}
	return out
}

// TestContractRoundTrips drives every route of the profile through the typed methods:
// create → get → update → list for each entity, then checks the emulator saw all 48.
func TestContractRoundTrips(t *testing.T) {
	e := emulate(t, oplatest.Options{})
	c := e.client
	ctx := context.Background()

	var sourceID, industryID string
	t.Run("reference lists", func(t *testing.T) {
		sources, err := c.Accounts.Sources(ctx)
		require.NoError(t, err)
		sourceID = idOf(t, sources, "Website")
		industries, err := c.Accounts.Industries(ctx)
		require.NoError(t, err)
		industryID = idOf(t, industries, "Technology")
		statuses, err := c.Leads.Statuses(ctx)
		require.NoError(t, err)
		idOf(t, statuses, "Qualified")
	})

	var employeeID string
	t.Run("employees", func(t *testing.T) {
		created, err := c.Employees.Create(ctx, opla.EmployeeCreate{
			FirstName: "Hà", LastName: "Phạm Thu", Email: "ha.pham@example.vn", SiteID: opla.Ptr("S-HCM"), ExternalID: opla.Ptr("E-T1"),
		})
		require.NoError(t, err)
		require.NotEmpty(t, created.ID)
		employeeID = created.ID

		got, err := c.Employees.Get(ctx, "E-T1")
		require.NoError(t, err)
		require.Equal(t, "ha.pham@example.vn", got.Email)
		require.Equal(t, opla.Text("S-HCM"), got.SiteID)
		require.Equal(t, opla.Ptr(true), got.IsActive)

		_, err = c.Employees.Update(ctx, employeeID, opla.EmployeeUpdate{FirstName: "Thu Hà", LastName: "Phạm", SiteID: opla.Ptr("S-HCM"), DimensionID: opla.Ptr("DMS-009")})
		require.NoError(t, err)
		got, err = c.Employees.Get(ctx, "E-T1")
		require.NoError(t, err)
		require.Equal(t, "Thu Hà", got.FirstName)
		require.Equal(t, opla.Text("DMS-009"), got.DimensionID)

		listed, ok := find(t, c.Employees.List(ctx, opla.EmployeeListOptions{Search: "ha.pham"}), func(x opla.Employee) bool { return x.ExternalID == "E-T1" })
		require.True(t, ok)
		require.Equal(t, "Phạm", listed.LastName)

		require.NoError(t, c.Employees.Deactivate(ctx, "E-T1"))
		got, err = c.Employees.Get(ctx, "E-T1")
		require.NoError(t, err)
		require.Equal(t, opla.Ptr(false), got.IsActive)
		require.NoError(t, c.Employees.Activate(ctx, "E-T1"))
		got, err = c.Employees.Get(ctx, "E-T1")
		require.NoError(t, err)
		require.Equal(t, opla.Ptr(true), got.IsActive)
	})

	var accountUUID string
	t.Run("accounts", func(t *testing.T) {
		created, err := c.Accounts.Create(ctx, opla.AccountCreate{
			Name: "Hải Âu", LongName: "Công ty CP Hải Âu", TaxIdentificationNumber: "0319999999", Email: "info@haiau.vn",
			ExternalID: "A-T1", Address: "1 Lê Lợi, Quận 1", Phone: opla.Phone{Phone: "283456789", CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"},
			Website: "https://haiau.vn", AccountType: "Khách hàng doanh nghiệp", SourceID: sourceID, IndustryID: industryID,
			OwnerID: "MNV_001", CreatedBy: "MNV_001", UpdatedBy: "MNV_001",
		})
		require.NoError(t, err)
		require.NotEmpty(t, created.ID)
		accountUUID = created.ID

		got, err := c.Accounts.Get(ctx, "A-T1")
		require.NoError(t, err)
		require.Equal(t, "Công ty CP Hải Âu", got.LongName)
		require.Equal(t, "283456789", got.Phone.Phone)
		require.Equal(t, "an.nguyen@example.vn", got.Owner.Email)

		body := accountUpdate(got)
		body.Note = "VIP"
		body.CustomFields = []string{"Hạng khách hàng=Vàng"}
		_, err = c.Accounts.Update(ctx, "A-T1", body)
		require.NoError(t, err)
		got, err = c.Accounts.Get(ctx, "A-T1")
		require.NoError(t, err)
		require.Equal(t, "VIP", got.Note)
		require.Equal(t, "Vàng", labels(got.CustomFields)["Hạng khách hàng"], "a master-data id is shown as its label")

		body = accountUpdate(got)
		body.Description = "by uuid"
		_, err = c.Accounts.UpdateByUUID(ctx, accountUUID, body)
		require.NoError(t, err)

		listed, ok := find(t, c.Accounts.List(ctx, opla.AccountListOptions{TaxIdentificationNumber: "0319999999"}), func(a opla.Account) bool { return a.ExternalID == "A-T1" })
		require.True(t, ok)
		require.Equal(t, "by uuid", listed.Description)

		require.NoError(t, c.Accounts.AssignOwner(ctx, opla.AccountEmployee{AccountID: "A-T1", EmployeeID: "E-T1"}))
		got, err = c.Accounts.Get(ctx, "A-T1")
		require.NoError(t, err)
		require.Equal(t, "E-T1", got.OwnerID)
		require.Equal(t, "Thu Hà Phạm", got.Owner.FullName)
		require.NoError(t, c.Accounts.AssignContributor(ctx, opla.AccountEmployee{AccountID: "A-T1", EmployeeID: "MNV_002"}))
		require.NoError(t, c.Accounts.UnassignContributor(ctx, opla.AccountEmployee{AccountID: "A-T1", EmployeeID: "MNV_002"}))
	})

	t.Run("contacts", func(t *testing.T) {
		created, err := c.Contacts.Create(ctx, opla.ContactCreate{
			FirstName: "Minh", LastName: "Lê", Gender: opla.GenderMale, Email: "minh.le@haiau.vn", Birthday: "1991-05-02T00:00:00.000Z",
			Department: "Mua hàng", AccountExternalID: "A-T1", ExternalID: "C-T1",
			PhoneWork: opla.Phone{Phone: "912345678", CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"}, OwnerID: "E-T1",
		})
		require.NoError(t, err)
		require.Equal(t, "Minh Lê", created.Name)

		got, err := c.Contacts.Get(ctx, "C-T1")
		require.NoError(t, err)
		require.Equal(t, "A-T1", got.AccountExternalID)
		require.Equal(t, "912345678", got.PhoneWork.Phone)
		require.True(t, got.PhoneOther.IsZero())

		body := contactUpdate(got)
		body.Department = "Kế toán"
		body.PhoneOther = opla.Phone{Phone: "987654321", CallCode: "+84"}
		updated, err := c.Contacts.Update(ctx, "C-T1", body)
		require.NoError(t, err)
		require.Equal(t, "Kế toán", updated.Department)

		listed, err := collect(c.Contacts.List(ctx, opla.ContactListOptions{AccountExternalID: "A-T1"}))
		require.NoError(t, err)
		require.Len(t, listed, 1)
		require.Equal(t, "987654321", listed[0].PhoneOther.Phone)

		require.NoError(t, c.Contacts.Delete(ctx, "C-T1"))
		_, err = c.Contacts.Get(ctx, "C-T1")
		require.True(t, opla.IsNotFound(err), "%v", err)
	})

	t.Run("products", func(t *testing.T) {
		created, err := c.Products.Create(ctx, opla.ProductCreate{
			Name: "Gói triển khai", Description: "Triển khai 5 ngày", Price: 15000000, SupplierID: "SUP-001",
			UnitOfMeasureID: "UOM-001", CategoryID: "CAT-DV", SubCategoryID: "SUB-TK", ExternalID: "P-T1",
		})
		require.NoError(t, err)
		require.Equal(t, opla.Text("P-T1"), created.ExternalID)

		listed, ok := find(t, c.Products.List(ctx), func(p opla.Product) bool { return p.ExternalID == "P-T1" })
		require.True(t, ok)
		price, err := listed.Price.Float64()
		require.NoError(t, err)
		require.Equal(t, 15000000.0, price)

		updated, err := c.Products.Update(ctx, "P-T1", opla.ProductUpdate{
			Name: "Gói triển khai", Description: "Triển khai 7 ngày", Price: 21000000, SupplierID: "SUP-001",
			UnitOfMeasureID: "UOM-001", CategoryID: "CAT-DV", SubCategoryID: "SUB-TK",
		})
		require.NoError(t, err)
		require.Equal(t, "Triển khai 7 ngày", updated.Description)

		up, err := c.Products.Upsert(ctx, opla.ProductUpsert{Name: "Gói bảo trì", Price: 5000000, SupplierID: "SUP-001", UnitOfMeasureID: "UOM-001", ExternalID: "P-T2"})
		require.NoError(t, err)
		require.NotEmpty(t, up.ID)
		up, err = c.Products.Upsert(ctx, opla.ProductUpsert{Name: "Gói bảo trì năm", Price: 6000000, SupplierID: "SUP-001", UnitOfMeasureID: "UOM-001", ExternalID: "P-T2"})
		require.NoError(t, err)
		require.Equal(t, "Gói bảo trì năm", up.Name)

		require.NoError(t, c.Products.Delete(ctx, "P-T1"))
		_, ok = find(t, c.Products.List(ctx), func(p opla.Product) bool { return p.ExternalID == "P-T1" })
		require.False(t, ok)
	})

	t.Run("leads", func(t *testing.T) {
		created, err := c.Leads.Create(ctx, opla.LeadCreate{
			Name: "Đỗ Quang", AccountName: "Công ty Sao Mai", Phone: &opla.Phone{Phone: "977000111", CallCode: "+84"},
			Email: "quang@saomai.vn", OwnerID: "E-T1", ExternalID: "L-T1", LeadStatus: "New", Industry: "technology", Source: "Event",
			CustomFields: []opla.CustomFieldValue{{Name: "Nhu cầu", Value: "CRM 20 người dùng"}},
		})
		require.NoError(t, err)
		require.Equal(t, "L-T1", created.ExternalID)
		require.Equal(t, "CRM 20 người dùng", labels(created.CustomFieldValues)["Nhu cầu"])

		updated, err := c.Leads.Update(ctx, "L-T1", opla.LeadUpdate{
			Name: "Đỗ Quang", AccountName: "Công ty Sao Mai", LeadStatus: "Qualified",
			CustomFields: []opla.CustomFieldValue{{Name: "Ngân sách dự kiến", Value: "150000000"}},
		})
		require.NoError(t, err)
		require.Equal(t, "Qualified", updated.LeadStatus)

		listed, err := collect(c.Leads.List(ctx, opla.LeadListOptions{ExternalID: "L-T1"}))
		require.NoError(t, err)
		require.Len(t, listed, 1)
		require.Equal(t, "Qualified", listed[0].LeadStatus)
		require.Equal(t, "977000111", listed[0].Phone.Phone, "keys the update left out keep their values")
		require.Equal(t, map[string]string{"Nhu cầu": "CRM 20 người dùng", "Ngân sách dự kiến": "150000000"}, labels(listed[0].CustomFieldValues))
	})

	t.Run("opportunities", func(t *testing.T) {
		processes, err := c.SalesProcesses.List(ctx)
		require.NoError(t, err)
		i := slices.IndexFunc(processes, func(p opla.SalesProcess) bool { return p.Name == "Sales process Default" })
		require.GreaterOrEqual(t, i, 0)
		process, err := c.SalesProcesses.Get(ctx, processes[i].ID)
		require.NoError(t, err)
		require.Equal(t, processes[i], *process)
		var stages []string
		for _, s := range process.Stages {
			stages = append(stages, s.Name)
		}
		require.Subset(t, stages, []string{"Prospecting", "Proposal", "Closed Won"})

		created, err := c.Opportunities.Create(ctx, opla.OpportunityCreate{
			Name: "CRM cho Hải Âu", AccountExternalID: "A-T1", ContactsExternalIDs: []string{"CT-001"},
			DateOpen: "2026-02-01", DateClosed: "2026-04-30",
			OpportunitiesProducts: []opla.OpportunityProduct{{ProductExternalID: "PRD-001", Quantity: 2, Price: 100, Discount: 10}},
			Type:                  "Khách hàng mới", Source: "Website", SaleProcess: process.Name, SaleProcessStage: "Prospecting",
			Contributors: []opla.Contributor{{Email: "binh.tran@example.vn", Permission: opla.PermissionReadOnly}},
			ExternalID:   "O-T1", OwnerExternalID: "E-T1", OwnerEmail: "ha.pham@example.vn",
			CustomFields: []opla.CustomFieldValue{{Name: "Kênh bán hàng", Value: "Online"}},
		})
		require.NoError(t, err)
		require.NotEmpty(t, created.ShortID)

		got, err := c.Opportunities.GetByExternalID(ctx, "O-T1")
		require.NoError(t, err)
		require.Equal(t, created.ID, got.ID)
		amount, err := got.Amount.Float64()
		require.NoError(t, err)
		require.Equal(t, 180.0, amount, "2 × 100 less 10%")
		tax, err := got.TaxInclusiveAmount.Float64()
		require.NoError(t, err)
		require.Equal(t, 180.0, tax)
		require.Equal(t, "Prospecting", got.StageName())
		require.Len(t, got.StageLogs, 1)
		require.Equal(t, "ha.pham@example.vn", got.StageLogs[0].Creator.Email)
		require.Equal(t, "A-T1", got.Accounts[0].Account.ExternalID)
		require.Equal(t, "binh.tran@example.vn", got.Users[0].User.Email)
		require.Equal(t, "PRD-001", got.OpportunitiesProducts[0].ExternalID())
		require.Equal(t, "Online", labels(got.CustomFields)["Kênh bán hàng"])

		body := opportunityUpdate(t, got)
		body.SaleProcessStage = "Proposal"
		_, err = c.Opportunities.UpdateByShortID(ctx, got.ShortID, body)
		require.NoError(t, err)

		got, err = c.Opportunities.GetByShortID(ctx, created.ShortID)
		require.NoError(t, err)
		require.Equal(t, "Proposal", got.StageName())
		body = opportunityUpdate(t, got)
		body.SaleProcessStage = "Closed Won"
		body.StageClose = opla.StageCloseWon
		body.Invoices = []opla.Invoice{{Code: "INV-T1", Amount: 180, Date: "2026-04-30"}}
		updated, err := c.Opportunities.Update(ctx, got.ID, body)
		require.NoError(t, err)
		require.Equal(t, opla.StageCloseWon, updated.StageCompact)
		require.NotEmpty(t, updated.DateClosedActual)
		require.Len(t, updated.StageLogs, 3)
		require.Equal(t, opla.Number("180"), updated.Invoice)
		require.Equal(t, []opla.InvoiceOut{{Code: "INV-T1", Amount: "180", Date: "2026-04-30"}}, updated.Invoices)
		amount, err = updated.Amount.Float64()
		require.NoError(t, err)
		require.Equal(t, 180.0, amount, "the product lines survived the read-modify-write")

		withContrib, err := c.Opportunities.AddContributor(ctx, got.ID, opla.ContributorAdd{Email: "cuong.le@example.vn", Permission: opla.PermissionReadWrite})
		require.NoError(t, err)
		var users []string
		for _, u := range withContrib.Users {
			users = append(users, u.User.Email+":"+u.Permission)
		}
		require.ElementsMatch(t, []string{"binh.tran@example.vn:READ_ONLY", "cuong.le@example.vn:READ_WRITE"}, users)

		opts := opla.OpportunityListOptions{SalesProcess: process.Name, SalesProcessStages: "Closed Won"}
		listed, err := collect(c.Opportunities.List(ctx, opts))
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(listed, func(o opla.Opportunity) bool { return o.ExternalID == "O-T1" }))
		for _, o := range listed {
			require.Equal(t, "Closed Won", o.StageName())
		}
		listedV1, err := collect(c.Opportunities.ListV1(ctx, opts))
		require.NoError(t, err)
		require.Equal(t, listed, listedV1)
	})

	t.Run("sites, suppliers, unit-of-measures, buyer groups", func(t *testing.T) {
		tests := []struct {
			svc            *opla.SimpleService
			create, update any
			field, want    string
		}{
			{c.Sites, opla.SiteCreate{Value: "Đà Nẵng", Description: "VP miền Trung", ExternalID: "X-T1"}, opla.SiteUpdate{Value: "Đà Nẵng 2", Description: "d"}, "value", "Đà Nẵng 2"},
			{c.BuyerGroups, opla.BuyerGroupCreate{Name: "Doanh nghiệp lớn", Description: "Enterprise", ExternalID: "X-T1"}, opla.BuyerGroupUpdate{Name: "Tập đoàn", Description: "d"}, "name", "Tập đoàn"},
			{c.UnitOfMeasures, opla.UnitOfMeasureCreate{Name: "Thùng", Description: "12 hộp", ExternalID: "X-T1"}, opla.UnitOfMeasureUpdate{Name: "Thùng 24", Description: "24 hộp"}, "name", "Thùng 24"},
			{c.Suppliers, opla.SupplierCreate{Name: "NCC Sao Việt", BuyerGroupID: "BG-001", BuyerGroupName: "Doanh nghiệp vừa và nhỏ", ExternalID: "X-T1", MainContactID: "CT-001"},
				opla.SupplierUpdate{Name: "NCC Sao Việt Mới", BuyerGroupID: "BG-001", BuyerGroupName: "Doanh nghiệp vừa và nhỏ", MainContactID: "CT-002"}, "name", "NCC Sao Việt Mới"},
		}
		for _, tt := range tests {
			t.Run(tt.svc.Entity(), func(t *testing.T) {
				before := e.emu.Stats().Records[tt.svc.Entity()]
				created, err := tt.svc.Create(ctx, tt.create)
				require.NoError(t, err)
				require.NotEmpty(t, created.ID)
				require.Equal(t, opla.Text("X-T1"), created.ExternalID)
				_, err = tt.svc.Update(ctx, "X-T1", tt.update)
				require.NoError(t, err)
				require.Equal(t, before+1, e.emu.Stats().Records[tt.svc.Entity()])
				recs := e.emu.Records(tt.svc.Entity())
				i := slices.IndexFunc(recs, func(r map[string]any) bool { return r["external_id"] == "X-T1" })
				require.GreaterOrEqual(t, i, 0)
				require.Equal(t, tt.want, recs[i][tt.field])
			})
		}
	})

	// Every operation of the profile was exercised.
	stats := e.emu.Stats()
	var missing []string
	p := c.Profile()
	for _, name := range p.OperationNames() {
		op, _ := p.Op(name)
		if stats.Requests[op.Pattern()] == 0 {
			missing = append(missing, name)
		}
	}
	require.Empty(t, missing, "operations the round trip never called")
	requests, retries := c.Stats()
	require.Zero(t, retries)
	total := 0
	for _, n := range stats.Requests {
		total += n
	}
	require.Equal(t, int64(total), requests)
}

func TestContractErrors(t *testing.T) {
	ctx := context.Background()
	e := emulate(t, oplatest.Options{}, func(o *opla.Options) { o.MaxRetries = -1 })
	c := e.client
	tests := []struct {
		name     string
		call     func() error
		status   int
		wantMsgs []string
	}{
		{
			name: "400 validation, every message at once",
			call: func() error {
				_, err := c.Contacts.Create(ctx, opla.ContactCreate{ExternalID: "C-X", Gender: "MAN", Birthday: "31/01/1990", AccountExternalID: "ACC-001", OwnerID: "MNV_001"})
				return err
			},
			status:   400,
			wantMsgs: []string{"gender must be one of the following values: MALE, FEMALE, OTHER", "birthday must be a valid ISO 8601 date string"},
		},
		{
			name: "400 null in a required field",
			call: func() error {
				_, err := c.Accounts.Create(ctx, opla.AccountCreate{ExternalID: "A-X"}) // AccountType nil is sent as null
				return err
			},
			status:   400,
			wantMsgs: []string{"account_type should not be empty"},
		},
		{
			name: "400 reference",
			call: func() error {
				_, err := c.Contacts.Create(ctx, opla.ContactCreate{ExternalID: "C-X", AccountExternalID: "ACC-404", OwnerID: "MNV_001"})
				return err
			},
			status:   400,
			wantMsgs: []string{`account_external_id "ACC-404" does not exist`},
		},
		{
			name:     "404",
			call:     func() error { _, err := c.Contacts.Get(ctx, "C-404"); return err },
			status:   404,
			wantMsgs: []string{`Contact "C-404" not found`},
		},
		{
			name: "404 on update",
			call: func() error {
				_, err := c.Leads.Update(ctx, "L-404", opla.LeadUpdate{Name: "x", AccountName: "y"})
				return err
			},
			status:   404,
			wantMsgs: []string{`Lead "L-404" not found`},
		},
		{
			name: "409 duplicate external_id",
			call: func() error {
				_, err := c.Employees.Create(ctx, opla.EmployeeCreate{FirstName: "X", LastName: "Y", Email: "new@example.vn", ExternalID: opla.Ptr("MNV_001")})
				return err
			},
			status:   409,
			wantMsgs: []string{`external_id "MNV_001" already exists`},
		},
		{
			name: "409 duplicate e-mail",
			call: func() error {
				_, err := c.Employees.Create(ctx, opla.EmployeeCreate{FirstName: "X", LastName: "Y", Email: "AN.NGUYEN@example.vn", ExternalID: opla.Ptr("MNV_999")})
				return err
			},
			status:   409,
			wantMsgs: []string{`email "AN.NGUYEN@example.vn" already exists`},
		},
		{
			name: "401",
			call: func() error {
				bad := e.srv.Client(func(o *opla.Options) { o.Token = "tok-WRONG-0000"; o.MaxRetries = -1 })
				_, err := bad.Accounts.Sources(ctx)
				if err != nil {
					require.NotContains(t, err.Error(), "tok-WRONG-0000")
				}
				return err
			},
			status:   401,
			wantMsgs: []string{"Unauthorized"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			ae, ok := opla.AsAPIError(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, tt.status, ae.StatusCode)
			require.Subset(t, ae.Messages, tt.wantMsgs)
			require.NotContains(t, err.Error(), testToken)
		})
	}

	t.Run("a profile that disagrees with the server", func(t *testing.T) {
		text := strings.ReplaceAll(string(opla.DefaultProfileYAML()), "path: /public/leads/status", "path: /public/lead-statuses")
		p, err := opla.ParseProfile([]byte(text), "moved.yaml")
		require.NoError(t, err)
		moved := e.srv.Client(func(o *opla.Options) { o.Profile = p; o.MaxRetries = -1 })
		_, err = moved.Leads.Statuses(ctx)
		ae, ok := opla.AsAPIError(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, http.StatusNotFound, ae.StatusCode)
		require.Equal(t, []string{"Cannot GET /api/public/lead-statuses"}, ae.Messages)
	})
}

func TestContractPaging(t *testing.T) {
	ctx := context.Background()
	const extra = 450
	seed := func(t *testing.T, e *emulated) int {
		for i := range extra {
			e.emu.Put("contacts", map[string]any{
				"first_name": "Khách", "last_name": fmt.Sprint(i), "external_id": fmt.Sprintf("PG-%03d", i),
				"account_external_id": "ACC-002", "owner_id": "MNV_001", "phone_work": map[string]any{}, "phone_other": map[string]any{},
			})
		}
		return e.emu.Stats().Records["contacts"]
	}
	for _, clamp := range []int{0, 7, 150} {
		t.Run(fmt.Sprint("clamp ", clamp), func(t *testing.T) {
			e := emulate(t, oplatest.Options{ClampTake: clamp})
			total := seed(t, e)
			got, err := collect(e.client.Contacts.List(ctx, opla.ContactListOptions{}))
			require.NoError(t, err)
			require.Len(t, got, total)
			seen := map[string]bool{}
			for _, c := range got {
				require.False(t, seen[c.ExternalID], "duplicate %s", c.ExternalID)
				seen[c.ExternalID] = true
			}
			page := 200
			if clamp > 0 {
				page = clamp
			}
			wantRequests := (total+page-1)/page + 1 // the last, empty page ends it
			require.Equal(t, wantRequests, e.hits("GET /public/contacts"))

			filtered, err := collect(e.client.Contacts.List(ctx, opla.ContactListOptions{AccountExternalID: "ACC-002"}))
			require.NoError(t, err)
			for _, c := range filtered {
				require.Equal(t, "ACC-002", c.AccountExternalID)
			}
			require.GreaterOrEqual(t, len(filtered), extra)
		})
	}

	t.Run("head inserts while paging miss nothing", func(t *testing.T) {
		e := emulate(t, oplatest.Options{ClampTake: 50, HeadInsertEvery: 2})
		seed(t, e)
		before := e.emu.Records("contacts")
		got, err := collect(e.client.Contacts.List(ctx, opla.ContactListOptions{}))
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, c := range got {
			seen[c.ExternalID] = true
		}
		for _, r := range before {
			require.True(t, seen[r["external_id"].(string)], "missed %v", r["external_id"])
		}
		require.Greater(t, len(got), len(before), "inserts shift records into later pages: they come twice")
	})

	t.Run("unpaged lists come whole", func(t *testing.T) {
		e := emulate(t, oplatest.Options{ClampTake: 1})
		products, err := collect(e.client.Products.List(ctx))
		require.NoError(t, err)
		require.Len(t, products, e.emu.Stats().Records["products"])
		require.Equal(t, 1, e.hits("GET /public/products"))
	})
}

func TestContractRetries(t *testing.T) {
	ctx := context.Background()
	// The emulator's rate limit runs on this stopped clock, so its bucket never refills
	// mid-test however slow the machine is.
	frozen := func() time.Time { return time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC) }

	t.Run("429 Retry-After is honoured", func(t *testing.T) {
		e := emulate(t, oplatest.Options{RateLimit: 1, Now: frozen})
		e.onWait = func(time.Duration) { e.emu.SetKnobs(oplatest.Knobs{}) } // the window passes
		_, err := e.client.Accounts.Get(ctx, "ACC-001")
		require.NoError(t, err)
		got, err := e.client.Accounts.Get(ctx, "ACC-002") // the bucket is empty: 429, Retry-After: 1
		require.NoError(t, err)
		require.Equal(t, "ACC-002", got.ExternalID)
		require.Equal(t, []time.Duration{time.Second}, e.slept())
		require.Equal(t, 3, e.hits("GET /public/accounts/{external_id}"))
	})

	t.Run("429 without retries", func(t *testing.T) {
		e := emulate(t, oplatest.Options{RateLimit: 1, Now: frozen}, func(o *opla.Options) { o.MaxRetries = -1 })
		_, err := e.client.Accounts.Sources(ctx)
		require.NoError(t, err)
		_, err = e.client.Accounts.Sources(ctx)
		ae, ok := opla.AsAPIError(err)
		require.True(t, ok, "%v", err)
		require.True(t, ae.IsRateLimit())
		require.Equal(t, time.Second, ae.RetryAfter)
		require.NotContains(t, err.Error(), testToken)
	})

	t.Run("FailRate: 503s are retried, writes are not doubled", func(t *testing.T) {
		e := emulate(t, oplatest.Options{FailRate: 0.4, Seed: 7}, func(o *opla.Options) { o.MaxRetries = 30 })
		before := e.emu.Stats().Records["sites"]
		for i := range 20 {
			_, err := e.client.Sites.Create(ctx, opla.SiteCreate{Value: fmt.Sprint("Site ", i), ExternalID: fmt.Sprintf("FR-%02d", i)})
			require.NoError(t, err)
			_, err = e.client.Accounts.Get(ctx, "ACC-001")
			require.NoError(t, err)
		}
		require.Equal(t, before+20, e.emu.Stats().Records["sites"])
		_, retries := e.client.Stats()
		require.Positive(t, retries)
		require.Len(t, e.slept(), int(retries))
		require.Equal(t, 40+int(retries), e.hits("POST /public/sites")+e.hits("GET /public/accounts/{external_id}"))
	})

	t.Run("lost answer to a create is ambiguous and not re-sent", func(t *testing.T) {
		e := emulate(t, oplatest.Options{LostResponseRate: 1})
		_, err := e.client.Contacts.Create(ctx, opla.ContactCreate{
			FirstName: "Lost", ExternalID: "C-LOST", AccountExternalID: "ACC-001", OwnerID: "MNV_001",
		})
		var amb *opla.AmbiguousError
		require.ErrorAs(t, err, &amb, "%v", err)
		require.Equal(t, "contacts.create", amb.Op)
		require.NotContains(t, err.Error(), testToken)
		require.Equal(t, 1, e.hits("POST /public/contacts"), "never re-sent")
		require.Empty(t, e.slept())

		// The caller's recovery: look the record up by its external_id (reads are not lost).
		got, err := e.client.Contacts.Get(ctx, "C-LOST")
		require.NoError(t, err, "the write was committed")
		require.Equal(t, "Lost", got.FirstName)
		e.emu.SetKnobs(oplatest.Knobs{})
		_, err = e.client.Contacts.Create(ctx, opla.ContactCreate{ExternalID: "C-LOST", AccountExternalID: "ACC-001", OwnerID: "MNV_001"})
		require.True(t, opla.IsConflict(err), "%v", err)
	})

	t.Run("lost answers to an update are retried", func(t *testing.T) {
		e := emulate(t, oplatest.Options{LostResponseRate: 1}, func(o *opla.Options) { o.MaxRetries = 2 })
		_, err := e.client.Leads.Update(ctx, "LEAD-001", opla.LeadUpdate{Name: "Trần Văn Tâm", AccountName: "Phú Quý"})
		require.Error(t, err)
		require.NotContains(t, err.Error(), testToken)
		require.Equal(t, 3, e.hits("PUT /public/leads/{id}"), "a PUT is idempotent: sent again")
		leads, err := collect(e.client.Leads.List(ctx, opla.LeadListOptions{ExternalID: "LEAD-001"}))
		require.NoError(t, err)
		require.Equal(t, "Phú Quý", leads[0].AccountName)
	})

	t.Run("context cancel stops retries", func(t *testing.T) {
		e := emulate(t, oplatest.Options{FailRate: 1})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		e.onWait = func(time.Duration) { cancel() }
		_, err := e.client.Accounts.Get(cctx, "ACC-001")
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 1, e.hits("GET /public/accounts/{external_id}"))
	})
}
