package wrapper

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ghjobs/ghjobs/api"
)

// TestDecodeOrder: a page of a listing is decoded only once the page ahead-many before it is
// handed on; a dropped page stops waiting; the zero place waits for nothing.
func TestDecodeOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newDecodeOrder(2)
		ctx := context.Background()
		for n := 1; n <= 2; n++ {
			if _, err := (place{o, n}).wait(ctx); err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
		}
		done := make(chan error, 1)
		go func() { _, err := (place{o, 4}).wait(ctx); done <- err }()
		o.handedOn(1) // page 3 may decode now, page 4 not yet
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("page 4 decoded after page 1 was handed on (%v)", err)
		default:
		}
		o.handedOn(2)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := (place{o, 9}).wait(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a dropped page waits on: %v", err)
		}
		if _, err := (place{}).wait(cctx); err != nil {
			t.Errorf("a page outside any listing waits: %v", err)
		}
	})
}

// TestDecodeTurns: AllJobs' pages are decoded as they come, whatever their number, as many
// at once as there are turns; the next waits for a turn to be given back, however often the
// page that had it says so; a page dropped while it waits is not decoded.
func TestDecodeTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		turns := newDecodeTurns(2)
		ctx := context.Background()
		var dones []func()
		for _, n := range []int{9, 3} { // page 9 came first: it does not wait for 2 to 8
			done, err := (place{turns, n}).wait(ctx)
			if err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
			dones = append(dones, done)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := (place{turns, 4}).wait(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("a dropped page: %v, want the context's error", err)
		}
		third := make(chan error, 1)
		var thirdDone func()
		go func() {
			var err error
			thirdDone, err = (place{turns, 2}).wait(ctx)
			third <- err
		}()
		synctest.Wait() // the third page is blocked: both turns are taken
		select {
		case err := <-third:
			t.Fatalf("a third page decoded with both turns taken (%v)", err)
		default:
		}
		dones[0]()
		dones[0]() // again: gives back no other page's turn
		if err := <-third; err != nil {
			t.Fatal(err)
		}
		fourth := make(chan error, 1)
		go func() { _, err := (place{turns, 5}).wait(ctx); fourth <- err }()
		synctest.Wait()
		select {
		case err := <-fourth:
			t.Fatalf("a fourth page decoded with pages 3 and 2 decoding (%v): a turn was given back twice", err)
		default:
		}
		dones[1]()
		thirdDone()
		if err := <-fourth; err != nil {
			t.Fatal(err)
		}
	})
}

// TestDecodeTurnGivenBackOnError: a page whose decoding fails gives its turn back, whether it
// is tried again (a body cut short) or ends the listing (not a page): a turn kept would leave
// AllJobs a processor short for the rest of the listing, and with one turn, stuck.
func TestDecodeTurnGivenBackOnError(t *testing.T) {
	for _, tc := range []struct {
		fault api.Fault
		final bool // the listing ends with ErrMalformedPage; else the page is asked for again
	}{{api.UnframedTruncatedBody(), false}, {api.MalformedBody(), true}} {
		fault := tc.fault
		t.Run(fault.String(), func(t *testing.T) {
			run := api.SampleRun("octo-org", "octo-repo", 7, 1, 30)
			// page 1 is answered as it should be; the next request to arrive gets the fault
			srv := api.NewTestServer(t, api.WithRun(run), api.WithFaults(api.Fault{}, fault))
			retry := DefaultRetryPolicy()
			retry.MinBackoff, retry.MaxBackoff = time.Millisecond, time.Millisecond
			c, err := New(WithBaseURL(srv.URL), WithPerPage(10), WithConcurrency(3), WithRetryPolicy(retry))
			if err != nil {
				t.Fatal(err)
			}
			turns := newDecodeTurns(1)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a turn kept: stuck until then
			defer cancel()
			jobs := 0
			err = c.eachPage(ctx, Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}, turns,
				func(p *Page) bool { jobs += len(p.Jobs); return true })
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("the listing got stuck waiting for a turn: %v", err)
			case tc.final && !errors.Is(err, ErrMalformedPage):
				t.Errorf("listing: %v, want ErrMalformedPage", err)
			case !tc.final && (err != nil || jobs != len(run.Jobs)):
				t.Errorf("listing: %d jobs, %v; want %d, the cut page asked for again", jobs, err, len(run.Jobs))
			}
			if n := len(turns.taken); n != 0 {
				t.Errorf("%d turn(s) still taken after the listing ended", n)
			}
		})
	}
}
