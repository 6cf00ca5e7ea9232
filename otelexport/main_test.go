package otelexport

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/internal/jaegertest"
	"github.com/ghjobs/ghjobs/internal/testproc"
)

// jaeger is the one Jaeger of this test binary, started by the first test that needs it.
var jaeger jaegertest.Shared

func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	goleak.VerifyTestMain(jaeger.Around(m))
}
