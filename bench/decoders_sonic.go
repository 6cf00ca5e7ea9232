//go:build amd64 && !go1.28

package bench

import "github.com/bytedance/sonic"

// sonic has its own engine on amd64 (and arm64) for the Go releases it knows, up to go1.27
// in v1.15; elsewhere it is encoding/json under another name, which is not worth measuring.
func init() {
	decoders = append(decoders,
		// ConfigStd is sonic's "compatible with encoding/json": strings copied and validated.
		decoder{name: "sonic-std", unmarshal: func(data []byte, b *pageBody) error {
			return sonic.ConfigStd.Unmarshal(data, b)
		}},
		decoder{name: "sonic-default", unmarshal: func(data []byte, b *pageBody) error {
			return sonic.ConfigDefault.Unmarshal(data, b)
		}},
	)
}
