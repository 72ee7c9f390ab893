package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profiler holds the hidden --cpuprofile and --memprofile flags of one root command.
type profiler struct {
	cpu, mem string
	cpuFile  *os.File
}

// addProfileFlags wires the hidden --cpuprofile FILE and --memprofile FILE flags onto
// root, for anyone who wants to see where a run spends its time or memory:
//
//	oplabatch validate --cpuprofile cpu.out -m accounts.yaml big.csv
//	go tool pprof -top oplabatch cpu.out
//	oplabatch export opportunities -o out.xlsx --memprofile mem.out
//	go tool pprof -sample_index=alloc_space -top oplabatch mem.out
//
// Every command under root (call it after the last AddCommand) starts the CPU profile
// just before it runs and writes both profiles when it returns, whatever it returns:
// a run with failed rows (exit 1) or one stopped by an interrupt (exit 3) is profiled
// too. The heap profile is taken after a GC at the end of the run; its alloc_space
// sample counts everything the run allocated.
func addProfileFlags(root *cobra.Command) {
	p := &profiler{}
	pf := root.PersistentFlags()
	pf.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	pf.StringVar(&p.mem, "memprofile", "", "write a heap profile at the end of the run to this file (go tool pprof)")
	_ = pf.MarkHidden("cpuprofile")
	_ = pf.MarkHidden("memprofile")
	p.wrap(root)
}

// wrap makes cmd and its subcommands run under the profiler.
func (p *profiler) wrap(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		p.wrap(sub)
	}
	switch {
	case cmd.RunE != nil:
		run := cmd.RunE
		cmd.RunE = func(c *cobra.Command, args []string) (err error) {
			if err := p.start(); err != nil {
				return err
			}
			defer p.stop(c)
			return run(c, args)
		}
	case cmd.Run != nil:
		run := cmd.Run
		cmd.Run = nil
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if err := p.start(); err != nil {
				return err
			}
			defer p.stop(c)
			run(c, args)
			return nil
		}
	}
}

// start begins the CPU profile, and checks the heap profile's file can be written
// before the run rather than after it.
func (p *profiler) start() error {
	if p.mem != "" {
		f, err := os.Create(p.mem)
		if err != nil {
			return withCode(exitUsage, fmt.Errorf("--memprofile: %w", err))
		}
		_ = f.Close()
	}
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--cpuprofile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return withCode(exitUsage, fmt.Errorf("--cpuprofile: %w", err))
	}
	p.cpuFile = f
	return nil
}

// stop writes the profiles; a failure is reported but does not change the exit code.
func (p *profiler) stop(c *cobra.Command) {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			fmt.Fprintln(c.ErrOrStderr(), "oplabatch: --cpuprofile:", err)
		}
		p.cpuFile = nil
	}
	if p.mem == "" {
		return
	}
	f, err := os.Create(p.mem)
	if err == nil {
		runtime.GC() // up-to-date statistics of what is still in use
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(c.ErrOrStderr(), "oplabatch: --memprofile:", err)
	}
}
