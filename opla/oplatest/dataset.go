package oplatest

import (
	"encoding/json"
	"fmt"

	"github.com/oplabatch/oplabatch/samples"
)

// Dataset is the emulator's whole state as JSON: the seed it starts from and the file it
// persists to. Records are stored as the API last received them plus the server's fields
// (id, created_at, updated_at, and short_id, stage_logs, contributors, is_active … where
// they apply); lists are oldest first. Derived response fields (owner objects, amounts,
// custom_field_*_values …) are computed when a record is served, not stored.
type Dataset struct {
	CompanyID      string                   `json:"company_id,omitempty"`
	Industries     []MasterData             `json:"industries"`
	Sources        []MasterData             `json:"sources"`
	LeadStatuses   []MasterData             `json:"lead_statuses"`
	SalesProcesses []SalesProcess           `json:"sales_processes"`
	CustomFields   map[string][]CustomField `json:"custom_fields"` // keyed by entity: accounts, leads, opportunities
	Sites          []map[string]any         `json:"sites"`
	Employees      []map[string]any         `json:"employees"`
	BuyerGroups    []map[string]any         `json:"buyer_groups"`
	UnitOfMeasures []map[string]any         `json:"unit_of_measures"`
	Suppliers      []map[string]any         `json:"suppliers"`
	Products       []map[string]any         `json:"products"`
	Accounts       []map[string]any         `json:"accounts"`
	Contacts       []map[string]any         `json:"contacts"`
	Leads          []map[string]any         `json:"leads"`
	Opportunities  []map[string]any         `json:"opportunities"`
}

// MasterData is an item of a read-only list: a source, an industry or a lead status.
type MasterData struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SalesProcess is a sales process and its stages, as GET /public/sales-process answers.
type SalesProcess struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	IsActive    bool    `json:"is_active"`
	Description string  `json:"description"`
	Stages      []Stage `json:"stages"`
}

// Stage is one stage of a sales process. StageCompact is OPEN, CLOSE_WON or CLOSE_LOST.
type Stage struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Order        int    `json:"order"`
	StageCompact string `json:"stage_compact"`
}

// CustomField defines a custom field of an entity. Type is text, number, date or select;
// a select field lists its options (master data custom fields).
type CustomField struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Options []Option `json:"master_data_custom_fields,omitempty"`
}

// Option is one choice of a select custom field.
type Option struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// Custom field types.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldDate   = "date"
	FieldSelect = "select"
)

// recordEntities are the entities with writable records, in dependency order.
var recordEntities = []string{"sites", "employees", "buyer-groups", "unit-of-measures", "suppliers", "products", "accounts", "contacts", "leads", "opportunities"}

// masterEntities are the read-only lists.
var masterEntities = []string{"industries", "sources", "lead-statuses", "sales-processes"}

// records returns the Dataset's slice for a record entity.
func (d *Dataset) records(entity string) *[]map[string]any {
	switch entity {
	case "sites":
		return &d.Sites
	case "employees":
		return &d.Employees
	case "buyer-groups":
		return &d.BuyerGroups
	case "unit-of-measures":
		return &d.UnitOfMeasures
	case "suppliers":
		return &d.Suppliers
	case "products":
		return &d.Products
	case "accounts":
		return &d.Accounts
	case "contacts":
		return &d.Contacts
	case "leads":
		return &d.Leads
	case "opportunities":
		return &d.Opportunities
	}
	return nil
}

// SampleDataset returns a fresh copy of the sandbox seed embedded in package samples.
// It panics if the embedded seed is broken, which the package tests rule out.
func SampleDataset() *Dataset {
	d, err := ParseDataset(samples.SandboxSeed)
	if err != nil {
		panic(fmt.Sprintf("oplatest: embedded sandbox seed: %v", err))
	}
	return d
}

// ParseDataset reads a Dataset from JSON (a seed or a persisted state file).
func ParseDataset(data []byte) (*Dataset, error) {
	var d Dataset
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	for _, entity := range recordEntities {
		for i, rec := range *d.records(entity) {
			if rec == nil {
				return nil, fmt.Errorf("dataset: %s[%d] is null", entity, i)
			}
		}
	}
	return &d, nil
}

// clone deep-copies a Dataset through JSON, so the emulator never shares maps with its caller.
func (d *Dataset) clone() (*Dataset, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return ParseDataset(data)
}
