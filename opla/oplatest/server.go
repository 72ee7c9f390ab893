package oplatest

import (
	"fmt"
	"net/http/httptest"
	"sync"

	"github.com/oplabatch/oplabatch/opla"
)

// Server is an emulator listening on a loopback port; it wraps an httptest.Server.
type Server struct {
	emu  *Emulator
	srv  *httptest.Server
	url  string
	once sync.Once
}

// NewServer starts an emulator on 127.0.0.1 (or [::1]) with a random port. Like
// httptest.NewServer it panics when it cannot start (a broken Options.PersistPath file
// included), since it is meant for tests and demos.
func NewServer(opts Options) *Server {
	emu, err := NewHandler(opts)
	if err != nil {
		panic(fmt.Sprintf("oplatest: %v", err))
	}
	srv := httptest.NewServer(emu)
	return &Server{emu: emu, srv: srv, url: srv.URL + BasePath}
}

// URL is the API base URL, e.g. http://127.0.0.1:41234/api.
func (s *Server) URL() string { return s.url }

// Token is the bearer token the server accepts.
func (s *Server) Token() string { return s.emu.token }

// Emulator gives access to the state, the knobs and the counters.
func (s *Server) Emulator() *Emulator { return s.emu }

// Client returns the real OplaCRM client pointed at the server with its token and
// profile; the option funcs may change anything else (retries, sleep, rate limit …).
// It panics if the options are invalid.
func (s *Server) Client(opts ...func(*opla.Options)) *opla.Client {
	o := opla.Options{BaseURL: s.url, Token: s.emu.token, Profile: s.emu.profile}
	for _, f := range opts {
		f(&o)
	}
	c, err := opla.New(o)
	if err != nil {
		panic(fmt.Sprintf("oplatest: client: %v", err))
	}
	return c
}

// Close stops the listener, waits for requests in flight (as httptest.Server.Close does)
// and saves the state when persisting. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.srv.Close()
		_ = s.emu.Close()
	})
}
