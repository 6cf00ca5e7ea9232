package wrapper

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// originOf returns scheme://host[:port] in lower case, without the scheme's default port.
func originOf(u *url.URL) string {
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host
}

// ErrForeignOrigin matches the error for a request, a Link or a redirect, that would leave
// the base URL's origin. Such requests are never sent, so credentials never reach another host.
var ErrForeignOrigin = errors.New("refusing to send a request outside the base URL's origin")

// originGuard refuses requests to any origin but the base URL's. It wraps the transport that
// adds credentials, so a foreign host never sees them, whichever RoundTripper adds them.
type originGuard struct {
	origin string
	next   http.RoundTripper
}

func (g *originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if o := originOf(req.URL); o != g.origin {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, fmt.Errorf("%w: %s is not %s", ErrForeignOrigin, o, g.origin)
	}
	return g.next.RoundTrip(req)
}
