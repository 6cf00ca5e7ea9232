package api

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/internal/testproc"
)

func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	goleak.VerifyTestMain(m)
}
