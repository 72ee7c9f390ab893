// Package oplatest is an in-process OplaCRM emulator in the shape of net/http/httptest:
//
//	s := oplatest.NewServer(oplatest.Options{})
//	defer s.Close()
//	c := s.Client() // the real *opla.Client, pointed at s.URL() with s.Token()
//
// It serves every operation of an API profile (the same *opla.Profile the client reads;
// opla.DefaultProfile() unless Options.Profile is set) under the base path "/api", from a
// Dataset held in memory (SampleDataset() unless Options.Dataset is set), optionally
// persisted to a JSON file. NewHandler gives the bare http.Handler for `oplabatch sandbox`.
//
// # Strictness
//
// The emulator is deliberately strict: code that passes against it should pass against the
// real service, so where the vendor page leaves room it refuses rather than accepts.
//
//   - Auth: every API route wants "Authorization: Bearer <token>"; otherwise 401
//     {"statusCode":401,"message":"Unauthorized"}. An unknown route (or a known path with
//     another method) is 404 "Cannot GET /api/public/xyz", before auth, as in NestJS.
//   - Bodies are checked like NestJS's ValidationPipe with whitelist and
//     forbidNonWhitelisted, against the operation's profile fields, and every message is
//     collected into one 400: a missing required key (or null for a required, non-nullable
//     one) is "<f> should not be empty" and nothing else for that key; wrong JSON types are
//     "<f> must be a string", "must be a number", "must be a boolean value", "must be an
//     object", "must be an array", "each value in <f> must be a string", "each value in <f>
//     must be an object", "<f> must be a string or an object"; enum misses are "<f> must be
//     one of the following values: A, B"; "" in a non_empty field is "should not be empty";
//     a key the operation does not declare is "property <k> should not exist". Nested shapes
//     (profile shapes) are checked the same way and their messages are prefixed with the
//     path, as NestJS does: "custom_fields.0.name should not be empty",
//     "custom_fields.0.property foo should not exist". Keys of a phone object are optional,
//     so {} means "no phone". Optional keys may be null.
//   - Beyond the page: a non-empty value of a field with format date or datetime must be an
//     ISO 8601 date ("<f> must be a valid ISO 8601 date string"), since the real service
//     stores it in a date column. The empty string is accepted in ordinary required fields.
//   - Invalid JSON is 400 "Unexpected token X in JSON at position N" (or "Unexpected end of
//     JSON input"). A body sent without a JSON Content-Type is ignored, as Express does, so
//     it fails validation as if empty. Bodies above 100 KiB (Express's default limit) are
//     413 "request entity too large".
//   - Query strings of list routes are whitelisted too ("property foo should not exist");
//     skip and take must be non-negative integers ("skip must be a number", "skip must not
//     be less than 0", "take must not be less than 1") and take may not exceed the
//     operation's max_take ("take must not be greater than 200") unless ClampTake is set,
//     in which case take is clamped silently. Empty, "null" and "undefined" filter values
//     mean no filter, as real clients send the page's defaults.
//   - Reference fields (profile ref) are checked after validation; "" and null mean "none".
//     A miss is 400 `<field> "<value>" does not exist` (nested:
//     `opportunities_products.0.product_external_id "P-9" does not exist`; string arrays
//     name the field without an index). Industry and source names and employee e-mails
//     match case-insensitively (names are then stored as the master data spells them);
//     every other reference matches exactly. A sales-process
//     stage must belong to the request's sale_process, or on an opportunity update to the
//     opportunity's current process (any process when there is none).
//   - A duplicate non-empty external_id on create (or an update that renames to a taken
//     one) is 409 `external_id "C-1" already exists`; a duplicate employee e-mail is 409
//     `email "x@y" already exists`. An unknown key in a path is 404 `Contact "C-9" not
//     found` (the entity's display name). Validation runs before the lookup, so a bad body
//     is 400 even for an unknown id.
//   - Updates follow Prisma semantics: keys present in the body replace the stored values,
//     absent optional keys keep theirs; id and created_at are kept, updated_at is bumped.
//
// # Guesses
//
// Where the vendor page does not show a shape, the emulator follows the profile's shapes
// and these choices (in one place, so a wrong guess is fixed here and in profile.yaml):
//
//   - Custom field values in requests are [{"name": ..., "value": "..."}] (shape
//     custom_field_value) for leads and opportunities. Accounts declare custom_fields as an
//     array of strings; each string is "name=value". The name must be a field defined for
//     the entity in the Dataset (else 400 `custom_fields.N.name "X" does not exist`); a
//     select value must be one of its options' values or ids and the option id is stored
//     (else `custom_fields.N.value "X" does not exist`); number and date values must parse
//     (`custom_fields.N.value "X" is not a valid number` / `is not a valid date`); "" clears.
//     An update merges by name. Responses carry custom_field_<entity>_values
//     [{custom_field:{name, master_data_custom_fields:[{id,value}]}, value}] and, for leads
//     and opportunities, the stored custom_fields.
//   - Opportunity products are {product_external_id, quantity, price, discount} (shape
//     opportunity_product); an update's opportunities_products wins over products when both
//     are non-empty. amount = Σ quantity·price·(1−discount/100); amount_usd_dollar =
//     amount/25000 rounded to cents; tax_inclusive_amount is amount as a string; invoice is
//     the sum of the invoices' amounts. Responses show opportunities_products as
//     [{product:{external_id,name}, quantity, price, discount}].
//   - stage_logs gain an entry on create and whenever the resolved stage changes; the
//     creator is the opportunity's owner. stage_compact is stage_close when set, else the
//     stage's own stage_compact (OPEN for open stages); date_closed_actual is set the day
//     the opportunity becomes closed.
//   - Opportunity {id} routes take the uuid, short-id routes the short_id ("2026.00001":
//     year of creation and a per-year sequence), employee update takes the uuid, every
//     other {id} (leads, sites, suppliers, unit-of-measures, buyer groups) the external_id.
//   - POST answers 201 (NestJS's default), other methods 200. Assign/unassign routes answer
//     {"statusCode":200,"message":"Request was successful"} and 404 for an unknown account
//     or employee; employee activate/deactivate answer {}; DELETE answers the removed record.
//   - Products upsert matches by external_id (its id field is accepted and ignored);
//     deleted: 1 hides a product from lists, lookups and references until an upsert with
//     deleted: 0 brings it back.
//
// # Knobs
//
// Options (and Emulator.SetKnobs at run time) add latency, 503s before any work
// (FailRate), lost answers to committed writes (LostResponseRate: the connection is
// hijacked and closed), 429 with Retry-After above a request rate (a token bucket),
// silent take clamping and records inserted at the head of a list while a client pages.
// Fault decisions and generated ids come from random sources seeded by Options.Seed, so a
// run is repeatable for a given request order. GET /__sandbox/stats (no auth, loopback
// clients only) answers the request counters and record counts.
package oplatest
