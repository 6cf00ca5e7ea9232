package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/itchyny/gojq"
)

// parseJQ compiles --jq's expression: a mistake in it is a usage error, found before any
// request is sent.
func parseJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, usageErr("--jq %q: %v", expr, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, usageErr("--jq %q: %v", expr, err)
	}
	return code, nil
}

// jqWriter collects the JSON document written to it; flush runs the expression on it and
// prints each result as gh's --jq does: a string as it is, other values as compact JSON,
// one a line.
type jqWriter struct {
	code *gojq.Code
	expr string
	doc  bytes.Buffer
	w    io.Writer
}

func (j *jqWriter) Write(p []byte) (int, error) { return j.doc.Write(p) }

func (j *jqWriter) flush() error {
	dec := json.NewDecoder(&j.doc)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return commandErr("--jq: reading the document: %w", err)
	}
	bw := bufio.NewWriter(j.w)
	iter := j.code.Run(jqValue(v))
	for {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := out.(error); ok {
			return commandErr("--jq %q: %w", j.expr, err)
		}
		if s, ok := out.(string); ok {
			fmt.Fprintln(bw, s)
			continue
		}
		b, err := gojq.Marshal(out)
		if err != nil {
			return commandErr("--jq %q: %w", j.expr, err)
		}
		bw.Write(append(b, '\n'))
	}
	return bw.Flush()
}

// jqValue turns the numbers of a decoded document into the kinds gojq computes with: ids as
// int, so that they stay exact past 2^53, and fractions as float64.
func jqValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n >= math.MinInt && n <= math.MaxInt {
			return int(n)
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = jqValue(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = jqValue(v[k])
		}
	}
	return v
}
