package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/journal"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"gopkg.in/yaml.v3"
)

// Job is a multi-sheet migration: one step per sheet, each with its own mapping, run in
// dependency order so that references between sheets resolve.
//
//	job: Sao Mai migration          # a name, shown in messages
//	order: dependency               # or "declared" to keep the steps' order
//	steps:
//	  - mapping: mappings/accounts.yaml     # relative to the job file
//	    sheet: Accounts                     # default: the mapping's sheet
//	  - mapping: mappings/contacts.yaml
type Job struct {
	File  string
	Name  string
	Steps []*Step
}

// Step is one sheet of a job.
type Step struct {
	Mapping *mapping.Mapping
	Sheet   string
	Line    int
}

// dependencyRank orders entities so that what a sheet refers to is loaded before it.
var dependencyRank = map[string]int{
	"sites": 0, "buyer-groups": 0, "suppliers": 1, "unit-of-measures": 0,
	"employees": 2, "accounts": 3, "products": 5, "contacts": 4, "leads": 5, "opportunities": 6,
}

// IsJob reports whether a YAML file is a job (it has steps:) rather than a mapping.
func IsJob(data []byte) bool {
	var probe struct {
		Steps yaml.Node `yaml:"steps"`
	}
	if err := yaml.Unmarshal(data, &probe); err != nil {
		return false
	}
	return probe.Steps.Kind != 0
}

// LoadJob reads a job file and the mappings it names.
func LoadJob(path string, p *opla.Profile) (*Job, error) {
	data, err := mapping.ReadLimited(path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("read job: %w", err)
	}
	var raw struct {
		Job   string `yaml:"job"`
		Order string `yaml:"order"`
		Steps []struct {
			Mapping string `yaml:"mapping"`
			Sheet   string `yaml:"sheet"`
			Line    int    `yaml:"-"`
		} `yaml:"steps"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, &mapping.Error{File: path, Msg: "not a valid job: " + strings.TrimPrefix(err.Error(), "yaml: ") + " (a job has job:, order: and steps: [{mapping:, sheet:}])"}
	}
	if len(raw.Steps) == 0 {
		return nil, &mapping.Error{File: path, Msg: "steps: is empty; list one mapping per sheet"}
	}
	switch raw.Order {
	case "", "dependency", "declared":
	default:
		return nil, &mapping.Error{File: path, Msg: fmt.Sprintf("order %q: want dependency (the default) or declared", raw.Order)}
	}
	job := &Job{File: path, Name: raw.Job}
	var errs []error
	for i, s := range raw.Steps {
		if s.Mapping == "" {
			errs = append(errs, &mapping.Error{File: path, Msg: fmt.Sprintf("step %d has no mapping:", i+1)})
			continue
		}
		mp := s.Mapping
		if !filepath.IsAbs(mp) {
			mp = filepath.Join(filepath.Dir(path), mp)
		}
		m, err := mapping.Load(mp, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		job.Steps = append(job.Steps, &Step{Mapping: m, Sheet: s.Sheet, Line: i + 1})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if raw.Order != "declared" {
		slices.SortStableFunc(job.Steps, func(a, b *Step) int {
			return dependencyRank[a.Mapping.Entity] - dependencyRank[b.Mapping.Entity]
		})
	}
	return job, nil
}

// StepOutput is where a step's results go: <input>.<entity>.results.xlsx beside the input
// (or in dir when given).
func StepOutput(input, dir string, s *Step) string {
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	name := fmt.Sprintf("%s.%s.results.xlsx", base, s.Mapping.Entity)
	if dir == "" {
		dir = filepath.Dir(input)
	}
	return filepath.Join(dir, name)
}

// RunJob runs every step of a job over one workbook, sharing one resolver, so a later
// sheet sees the records earlier sheets created and is told which of its references
// failed. Each step writes its own results workbook (see StepOutput). A step that stops
// (401, interrupt) stops the job; row failures do not.
func RunJob(ctx context.Context, job *Job, base Options, outDir string, onStep func(*Step, *Report)) ([]*Report, error) {
	res := base.Resolver
	if res == nil && !base.Offline {
		res = NewResolver(base.Client)
	}
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, fmt.Errorf("results folder: %w", err)
		}
	}
	var reports []*Report
	for _, s := range job.Steps {
		o := base
		o.Mapping = s.Mapping
		o.Sheet = s.Sheet
		o.Resolver = res
		if !o.Offline || o.Output != "" {
			o.Output = StepOutput(base.Input, outDir, s)
		}
		if base.Resume {
			// A step that finished in the earlier run left results and no journal.
			if _, err := os.Stat(journal.PathFor(o.Output)); err != nil {
				if _, err := os.Stat(o.Output); err == nil {
					if onStep != nil {
						onStep(s, nil)
					}
					continue
				}
				o.Resume = false
			}
		}
		rep, err := Run(ctx, o)
		if err != nil {
			return reports, fmt.Errorf("step %s (%s): %w", s.Mapping.Entity, s.Mapping.File, err)
		}
		reports = append(reports, rep)
		if onStep != nil {
			onStep(s, rep)
		}
		if rep.Stopped != nil {
			return reports, nil
		}
	}
	return reports, nil
}
