package importer

// ListIsCheaper exposes the cost model to the external tests.
var ListIsCheaper = listIsCheaper

// SameValue exposes the unchanged comparison to the external tests.
var SameValue = sameValue
