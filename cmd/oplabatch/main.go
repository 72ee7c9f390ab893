// Command oplabatch moves data in and out of OplaCRM in bulk: CSV and Excel imports
// through YAML column mappings, results workbooks, retries and exports.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, fixed by the design: 0 all rows succeeded, 1 some rows failed, 2 usage,
// mapping or file error (nothing written), 3 stopped mid-run with partial results.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitStopped = 3
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// withCode attaches an exit code to err; a nil err exits with the code silently.
func withCode(code int, err error) error {
	return &exitError{code: code, err: err}
}

func main() {
	// The first SIGINT/SIGTERM asks the running command to stop gracefully (an import
	// finishes the rows in flight and writes its results and journal); the second one
	// exits at once. The journal stays readable either way.
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "oplabatch: interrupted; finishing the rows in flight and writing the results (interrupt again to quit at once)")
		close(stop)
		<-sigs
		fmt.Fprintln(os.Stderr, "oplabatch: quit at once; run the same import with --resume to continue")
		os.Exit(exitStopped)
	}()
	os.Exit(run(context.Background(), os.Args[1:], &streams{in: os.Stdin, out: os.Stdout, err: os.Stderr, stop: stop}))
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, s *streams) int {
	stderr := s.err
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.Error() != "" {
			fmt.Fprintln(stderr, "oplabatch:", ee.Error())
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "oplabatch:", err)
	return exitUsage
}
