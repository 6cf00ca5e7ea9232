package render

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSVGRendersInChromium draws the fixture's timeline with headless Chromium, as
// docs/render.sh does for the README, and looks for the bars in the picture. Chromium is
// large, so CI does not install it; where it is installed, this runs.
func TestSVGRendersInChromium(t *testing.T) {
	needsExec(t)
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH (apt-get install -y chromium)")
	}
	dir := t.TempDir()
	var svg bytes.Buffer
	if err := SVG(&svg, fixtureTiming()); err != nil {
		t.Fatal(err)
	}
	svgPath, pngPath := filepath.Join(dir, "timeline.svg"), filepath.Join(dir, "timeline.png")
	if err := os.WriteFile(svgPath, svg.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	const height = 600 // the top of the picture: header, legend, axis and 30 lanes
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--force-device-scale-factor=1", "--window-size=1200,600", "--screenshot="+pngPath, "file://"+svgPath)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != svgWidth || b.Dy() != height {
		t.Errorf("picture %v, want %dx%d", b, svgWidth, height)
	}
	found := map[string]bool{}
	want := map[string]color.RGBA{"success": {0x2d, 0xa4, 0x4e, 0xff}, "failure": {0xcf, 0x22, 0x2e, 0xff}, "failed step": {0x82, 0x07, 0x1e, 0xff}}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := svgPlotStart; x < svgPlotEnd; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			for name, c := range want {
				if near(r>>8, c.R) && near(g>>8, c.G) && near(b>>8, c.B) {
					found[name] = true
				}
			}
		}
	}
	for name := range want {
		if !found[name] {
			t.Errorf("no %s bar in the rendered picture", name)
		}
	}
}

func near(v uint32, c uint8) bool { return max(v, uint32(c))-min(v, uint32(c)) <= 8 }
