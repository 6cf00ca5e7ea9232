package wrapper

import (
	"testing"

	"github.com/ghjobs/ghjobs/internal/testproc"
)

func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	m.Run()
}
