package opla

// ContactsService reads and writes contacts.
type ContactsService struct{ c *Client }

// AccountsService reads and writes accounts and their sources and industries.
type AccountsService struct{ c *Client }

// OpportunitiesService reads and writes opportunities.
type OpportunitiesService struct{ c *Client }

// LeadsService reads and writes leads and lead statuses.
type LeadsService struct{ c *Client }

// SalesProcessesService reads sales processes and their stages.
type SalesProcessesService struct{ c *Client }

// EmployeesService reads and writes employees.
type EmployeesService struct{ c *Client }

// ProductsService reads and writes products.
type ProductsService struct{ c *Client }

// SimpleService writes the create/update-only entities: sites, suppliers,
// unit-of-measures and buyer groups.
type SimpleService struct {
	c      *Client
	entity string
}
