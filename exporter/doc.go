// Package exporter pages whole OplaCRM datasets out of the API, flattens the nested JSON
// for people, and streams it to an XLSX workbook or CSV files (`oplabatch export`).
//
//	rep, err := exporter.Run(ctx, exporter.Options{Client: c, Entity: "opportunities", Output: "opps.xlsx"})
//
// # Paging: complete and exact while the list changes
//
// List routes take skip and take and answer a bare array, newest first. Users' scripts page
// them serially with overlapping windows and de-duplication because pages shift under them.
// The exporter pages concurrently and proves it missed nothing:
//
//   - Page size. The first request asks for the route's max_take (Client.PageSize); the
//     length of the answer is the effective page size P. A server that clamps take silently
//     answers fewer records than asked, so P, not take, is the stride. A longer page later
//     raises P. A short page is never taken as the end: the end is an empty page.
//   - The chain. The records known to cover the list without a gap, from its head down to
//     an anchor A (the last of them), form the chain; page 0 starts it. The server's order
//     of existing records does not change (new records are inserted at the head, records
//     may be deleted), and a page is a contiguous run of the list at the moment it is
//     served. So a page that holds any chain record X covers everything between X and its
//     own end: it is glued to the chain, and its last record becomes the anchor.
//   - Speculation. (A first page shorter than asked is the whole list or a clamped page;
//     one tail probe tells which, so a small list costs three requests.) Pages at skip A+1−o, A+1−o+S, A+1−o+2S, … (overlap o = max(1, P/20),
//     stride S = P−o) are fetched by up to -c workers (errgroup.SetLimit) inside a window of
//     2·c pages and glued strictly in skip order. Out-of-order serving is harmless as long as
//     fewer than o records are inserted at the head between two adjacent pages being served;
//     a page that does not touch the chain (more inserts than the overlap absorbs), a short
//     page and an empty page all stop the round.
//   - Tail. Sequential probes at skip A+1−o find the anchor again. A probe lying before the
//     anchor (head inserts pushed it down) moves forward; a full probe ending at the anchor
//     goes back to speculation from there; a short probe ending at the anchor is followed by
//     a request for the offset right after A, and an empty answer there is the end: head
//     inserts only move A further down, so no record can hide after it. (A list that grows
//     at its head on every single request never shows that empty page; after eight rounds in
//     which nothing followed the anchor, that is taken as the end.)
//   - Detached pages (fetched ahead of a gap) are kept as id lists and glued as soon as the
//     chain reaches them. Every record of every page is emitted at most once, by id, whether
//     or not its page was glued: the chain decides completeness, the id set uniqueness.
//   - Deletions. Up to o−1 deletions above the anchor between two glued pages are absorbed by
//     the overlap; more are noticed (a probe finds nothing where the anchor must be) and the
//     walk starts again from skip 0 with a fresh chain and the same id set, so nothing is
//     written twice. After three restarts the export fails rather than risk a silent gap.
//   - Retries (5xx, 429 with Retry-After, network errors) are the client's; an error that
//     survives them stops the export, and no file is written.
//
// The guarantee: every record that existed for the whole export appears exactly once.
// Records created during the export may or may not appear (at most once); deleted ones
// may appear if they were read before. A server with P = 1 leaves no room for an overlap:
// the exporter then pages one request at a time, which head inserts cannot make skip.
// The overlap costs about 5% more requests than a plain walk, plus two requests and the
// pages in flight at the end. Routes without skip/take (products, sources, industries,
// lead statuses, sales processes) are read in one request.
//
// # Flattening
//
// Each record is decoded with its keys in the API's order and flattened:
//
//   - scalars keep their path; nested objects become dotted paths (owner.email,
//     owner.user_site.value, opportunity_process_stage.opportunity_stage.name);
//   - a phone object {phone, call_code, country_code, country_name} is one text column in
//     international format ("+84 909 080 808", libphonenumber), plus phone.phone,
//     .call_code, .country_code and .country_name with --phone-parts;
//   - custom_field_<entity>_values become one column per custom field, under its name, with
//     master-data ids (and lists of them) shown as their labels; the request echo
//     custom_fields is dropped when those are there, else its {name, value} items are used;
//   - a list of scalars is one text column joined with ", "; other lists nested below the
//     top level are compact JSON;
//   - a top-level list of objects is a child list with its own sheet (XLSX) or
//     OUT-<list>.csv file (CSV): opportunities' stage_logs, opportunities_products,
//     invoices, users_opportunities, accounts_opportunities, contributors; sales processes'
//     stages. Each child row starts with parent.id, parent.short_id and parent.external_id
//     (parent.id and parent.name for master data), then the item's own flattened fields.
//
// # Columns: a planning window, then a fixed layout
//
// Streaming writers cannot add a column once rows are out (a CSV header, an XLSX row 1).
// Each sheet therefore buffers its first 1,000 rows (records, or child rows for a child
// sheet) and fixes its layout from them: the entity's leading columns (id, short_id,
// external_id, name, amounts, stage, dates, owner …), then every other path in order of
// first appearance, custom fields last, each phone's parts beside it. A sheet with fewer
// rows sees them all, so its layout is exact. A path first seen after the window has no
// column: its values go to an Extra sheet (OUT-extra.csv) as rows of sheet, row, id,
// column, value, and a warning names it once, so nothing is lost and nothing shifts. A
// child list that no record filled still gets its sheet, with the parent keys and the
// fields the API profile's shape names (invoices: code, amount, date).
//
// Types come from the key, the API profile and the window's values. Ids, *_id, short_id,
// external_id, phones, tax numbers, codes and e-mails are text even when sent as numbers.
// Amounts (amount, amount_usd_dollar, tax_inclusive_amount, invoice, price …) are numbers
// with a thousands format (#,##0, or #,##0.00 for dollars or fractions seen). Fields the
// profile formats as date or datetime, *_at and date* keys, and any column whose values are
// all ISO dates or date-times are dates (yyyy-mm-dd) or date-times (yyyy-mm-dd hh:mm:ss)
// shown in --tz (default Asia/Ho_Chi_Minh); a date sent as midnight UTC stays its calendar
// day. Other JSON numbers are numbers, booleans booleans, the rest text. A value that does
// not fit its column's type is written as text (and counted), never dropped.
//
// # Export mappings
//
// An export mapping (Spec, -m) chooses, renames and orders columns by path (a custom field
// also by its name), sets types and Excel number formats, filters rows client-side
// (eq, ne, in, not_in, contains, gt, gte, lt, lte, since, until, empty) and picks child
// sheets and their columns. --since/--until/--date-field (or the mapping's since, until and
// date_field) keep one period, e.g. a month of closed deals. With chosen columns there is no
// Extra sheet: unchosen fields are not wanted.
//
// # Files
//
// XLSX goes through excelize's StreamWriter: a bold, frozen header row with filter buttons,
// column widths from the window, numbers as numbers, dates as Excel dates with a number
// format, ids as text cells with the text format; every cell is a value, never a formula. A
// sheet holds at most 1,048,575 data rows; the rest continue on "<name> (2)" with the header
// again. CSV is UTF-8 (--bom adds a byte order mark for Excel), CRLF line ends, --delimiter;
// numbers keep the digits the API sent, dates use the format's day/month/year parts, and
// text a spreadsheet would run as a formula (starting with =, @, a tab, a carriage return, or
// + or - not followed by a number) gets a leading apostrophe. Every file is written to a
// temporary file beside its final name and renamed when the export is complete, the main
// file last; a failed or interrupted export removes them and leaves no file (and any older
// export) under the final names.
//
// # Memory
//
// Records stream from the pages to the writers: the exporter holds the pages in flight
// (2·c), the planning windows and 17 bytes per record id for de-duplication. A workbook's
// child sheets are spooled to compact temporary files beside the output and written after
// the main sheet, one at a time, so only one excelize stream buffer (up to 32 MiB) is
// alive at once; the finished ones are released (see releaseStreamBuffer), and the zip is
// written straight to the file rather than built in memory. bench_test.go exports 200,000
// opportunities with nested fields: about 150 MiB peak RSS to XLSX and 100 MiB to CSV.
package exporter
