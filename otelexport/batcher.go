package otelexport

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// batcher is the span processor of an export: it gathers ended spans and hands each full
// batch to the exporter at once, in the exporting goroutine. The SDK's BatchSpanProcessor
// exports from a goroutine of its own and only logs its exporter's errors through the
// global error handler; an export must instead stop at the first failure and say it, and
// hold no more than one batch while a slow collector answers.
type batcher struct {
	ctx   context.Context
	exp   sdktrace.SpanExporter
	size  int
	batch []sdktrace.ReadOnlySpan
	sent  int   // spans the exporter accepted
	err   error // the first export error; nothing is sent after it
}

var _ sdktrace.SpanProcessor = (*batcher)(nil)

func newBatcher(ctx context.Context, exp sdktrace.SpanExporter, size int) *batcher {
	return &batcher{ctx: ctx, exp: exp, size: size, batch: make([]sdktrace.ReadOnlySpan, 0, size)}
}

func (b *batcher) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (b *batcher) OnEnd(s sdktrace.ReadOnlySpan) {
	if b.err != nil {
		return
	}
	b.batch = append(b.batch, s)
	if len(b.batch) >= b.size {
		b.flush()
	}
}

// flush sends the spans gathered so far, and returns the first error of any batch.
func (b *batcher) flush() error {
	if b.err != nil || len(b.batch) == 0 {
		return b.err
	}
	if err := b.ctx.Err(); err != nil {
		b.err = fmt.Errorf("ghjobs: export stopped with %d spans sent: %w", b.sent, context.Cause(b.ctx))
		return b.err
	}
	if err := b.exp.ExportSpans(b.ctx, b.batch); err != nil {
		after := ""
		if b.sent > 0 {
			after = fmt.Sprintf(" after %d sent", b.sent)
		}
		b.err = fmt.Errorf("ghjobs: sending %d spans%s: %w", len(b.batch), after, err)
		return b.err
	}
	b.sent += len(b.batch)
	clear(b.batch) // the spans are the exporter's no more: let them go
	b.batch = b.batch[:0]
	return nil
}

// result completes r with the number of spans sent.
func (b *batcher) result(r Result) Result {
	r.Spans = b.sent
	return r
}

func (b *batcher) ForceFlush(context.Context) error { return b.flush() }

// Shutdown leaves the exporter running: it belongs to Export's caller.
func (b *batcher) Shutdown(context.Context) error { return nil }
