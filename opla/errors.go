package opla

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is a non-2xx answer from OplaCRM. Messages holds the NestJS "message" field
// (a string or a list of strings in the body; always a list here).
type APIError struct {
	Op         string        // profile operation name, e.g. "contacts.create"
	Method     string        // HTTP method
	Route      string        // the route pattern, e.g. /public/contacts/{external_id}
	StatusCode int           // HTTP status
	Messages   []string      // the body's "message"
	ErrorText  string        // the body's "error", e.g. "Bad Request"
	RetryAfter time.Duration // parsed Retry-After, for 429 and 503
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Route, e.StatusCode)
	if t := e.ErrorText; t != "" {
		b.WriteString(" " + t)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": " + strings.Join(e.Messages, "; "))
	}
	return b.String()
}

// IsValidation reports a 400 (or 422): the request body was refused.
func (e *APIError) IsValidation() bool {
	return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
}

// IsAuth reports a 401 or 403: the token is missing, wrong, expired or lacks the right.
func (e *APIError) IsAuth() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// IsNotFound reports a 404.
func (e *APIError) IsNotFound() bool { return e.StatusCode == http.StatusNotFound }

// IsConflict reports a 409, e.g. a duplicate external_id.
func (e *APIError) IsConflict() bool { return e.StatusCode == http.StatusConflict }

// IsRateLimit reports a 429.
func (e *APIError) IsRateLimit() bool { return e.StatusCode == http.StatusTooManyRequests }

// IsServer reports a 5xx.
func (e *APIError) IsServer() bool { return e.StatusCode >= 500 }

// AsAPIError returns the *APIError in err's chain, if any.
func AsAPIError(err error) (*APIError, bool) {
	var ae *APIError
	ok := errors.As(err, &ae)
	return ae, ok
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	ae, ok := AsAPIError(err)
	return ok && ae.IsNotFound()
}

// IsAuth reports whether err is a 401/403 from the API.
func IsAuth(err error) bool {
	ae, ok := AsAPIError(err)
	return ok && ae.IsAuth()
}

// IsConflict reports whether err is a 409 from the API.
func IsConflict(err error) bool {
	ae, ok := AsAPIError(err)
	return ok && ae.IsConflict()
}

// AmbiguousError reports a write whose outcome is unknown: the request went out but no
// answer came back (timeout, connection reset, a gateway error). The server may or may not
// have applied it. The client never re-sends such a create on its own; the caller looks the
// record up by its external_id first.
type AmbiguousError struct {
	Op     string
	Method string
	Route  string
	Err    error
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the server may or may not have applied it (%v)", e.Method, e.Route, e.Err)
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// IsAmbiguous reports whether err is an *AmbiguousError.
func IsAmbiguous(err error) bool {
	var ae *AmbiguousError
	return errors.As(err, &ae)
}

// nestError is the body NestJS sends with an error status.
type nestError struct {
	StatusCode int             `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
	Error      string          `json:"error"`
}

// ErrorBody renders the NestJS-style error body for a status and messages. The emulator
// uses it; exported so both sides agree on the shape. A 401/404 with a single message
// carries it as a string, like NestJS does; validation errors carry a list.
func ErrorBody(status int, messages ...string) []byte {
	body := map[string]any{"statusCode": status}
	switch {
	case status == http.StatusBadRequest && len(messages) > 0:
		body["message"] = messages
	case len(messages) == 1:
		body["message"] = messages[0]
	case len(messages) > 1:
		body["message"] = messages
	default:
		body["message"] = http.StatusText(status)
	}
	if status != http.StatusUnauthorized {
		body["error"] = http.StatusText(status)
	}
	b, _ := json.Marshal(body)
	return b
}

// parseErrorBody reads the NestJS error fields; unknown bodies give their first bytes.
func parseErrorBody(data []byte) (messages []string, errText string) {
	var ne nestError
	if err := json.Unmarshal(data, &ne); err == nil && (len(ne.Message) > 0 || ne.Error != "") {
		var list []string
		var one string
		switch {
		case json.Unmarshal(ne.Message, &list) == nil:
			messages = list
		case json.Unmarshal(ne.Message, &one) == nil:
			messages = []string{one}
		}
		return messages, ne.Error
	}
	text := strings.TrimSpace(string(data))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	if text != "" {
		messages = []string{text}
	}
	return messages, ""
}
