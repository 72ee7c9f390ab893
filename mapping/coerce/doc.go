// Package coerce turns one spreadsheet cell into the JSON value the OplaCRM
// API wants, and explains in plain words why it cannot when it cannot.
//
// The functions are pure and never panic. A cell that is blank after trimming
// (spaces, NBSP, zero-width characters) gives the zero value and a nil error:
// whether a field is required is the caller's decision, not the coercer's.
//
// # Errors
//
// A problem with the cell's value is an [*Error]. Its message starts with the
// quoted value and never names the column, so the caller can prefix it:
//
//	column "Ngày sinh": "31/02/2024" is not a real date: February 2024 has 29 days
//
// Any other error means the [Options] themselves are wrong (an unknown Locale
// or Region); [Options.Check] finds those before the first row is read.
//
// # Choices
//
// The users are mostly Vietnamese companies, so where a cell is ambiguous the
// Vietnamese reading wins, unless that reading could silently change a value by
// a factor of a thousand, in which case the cell is rejected:
//
//   - Number, Locale "" or "auto": "1.000.000" and "1.500" are thousands
//     (1000000, 1500), because Vietnamese writes thousands with dots. A single
//     dot followed by anything but exactly three digits ("1.5", "1.25",
//     "1234.567", "0.500") is a decimal point. "12,5" is 12.5 (decimal comma)
//     and "1,000,000" is a million, but "1,500" (one comma and exactly three
//     digits) is rejected as ambiguous: English-style sheets write 1500 that way
//     and Vietnamese-style sheets write 1.5 that way, so guessing would be
//     wrong by a factor of 1000 for one of them. Locale "vi" or "en" removes
//     every ambiguity; [DetectLocale] picks one from a column's values.
//     Integers of more than 15 digits are rejected because a float64 (and
//     Excel) cannot hold them exactly: such a column is a code, not a number.
//   - Date: day first (dd/mm/yyyy), unless o.Formats puts the month first,
//     then the built-in forms read month first too. o.Formats are tried before
//     Excel serial numbers, so "2024" with the layout "2006" is a year, not
//     Excel's day 2024.
//     Two-digit years and bare years ("1990") are rejected rather than guessed.
//     An input with a zone offset is converted to o.Location before its date
//     is taken.
//   - DateTime: RFC 3339 in UTC with milliseconds, the API's own form
//     ("2010-10-27T17:00:00.000Z"). A value without a zone, Excel date cells
//     included, is wall-clock time in o.Location (default Asia/Ho_Chi_Minh);
//     a date alone is midnight there.
//   - Phone: [PhoneNumber.Phone] is the national significant number, without
//     the country code and without the trunk prefix 0 ("909080808"), which is
//     what the CRM appears to store (public scripts re-add the 0 for display:
//     an inference, not documented); CallCode is
//     "+84", CountryCode the number's own region ("VN"), CountryName its
//     English name ("Vietnam", falling back to the region code for regions
//     outside a small table). A VN mobile whose leading 0 Excel ate
//     ("909080808") parses. Numbers with an extension, two numbers in one
//     cell, and numbers Excel turned into "9.09E+08" are rejected.
//   - Map keys, Enum values and Bool words match case- and
//     accent-insensitively through [Fold]: "NỮ", "nu" and "Nữ" are one key.
package coerce
