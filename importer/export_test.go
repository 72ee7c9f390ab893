package importer

// ListIsCheaper exposes the cost model to the external tests.
var ListIsCheaper = listIsCheaper
