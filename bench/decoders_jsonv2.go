//go:build goexperiment.jsonv2 && go1.27

package bench

import (
	"encoding/json"
	jsonv2 "encoding/json/v2"
)

// encoding/json/v2 is there by default from go1.27 on (GOEXPERIMENT=jsonv2 is on by default);
// go1.25 and go1.26 have it only with GOEXPERIMENT=jsonv2, as an API of a later release (go
// vet says so), which this study leaves out. With the experiment, go-json-experiment/json
// is an alias of it.
func init() {
	decoders = append(decoders,
		decoder{name: "encoding-json-v2", unmarshal: func(data []byte, b *pageBody) error {
			return jsonv2.Unmarshal(data, b)
		}},
		decoder{name: "encoding-json-v2-v1opts", agrees: true, unmarshal: func(data []byte, b *pageBody) error {
			return jsonv2.Unmarshal(data, b, json.DefaultOptionsV1())
		}},
	)
}
