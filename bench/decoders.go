package bench

import (
	"encoding/json"
	"time"

	gjx "github.com/go-json-experiment/json"
	gjxv1 "github.com/go-json-experiment/json/v1"
	goccy "github.com/goccy/go-json"
	jsoniter "github.com/json-iterator/go"
	"github.com/mailru/easyjson"
	segmentio "github.com/segmentio/encoding/json"
)

// A decoder is one candidate of the decoder study of issue 17 (docs/decoders.md): a way to
// decode a page's JSON into the type wrapper decodes into. BenchmarkDecodePage measures each,
// TestDecodersAgree and FuzzDecoders compare each with encoding/json.
type decoder struct {
	name      string // the benchmark's client=NAME: a module and, after it, its options
	unmarshal func(data []byte, b *pageBody) error
	// agrees: the decoder decodes every input as encoding/json of the same release does
	// (the same values, and an error exactly when encoding/json has one). FuzzDecoders
	// holds it to that; every candidate's divergences on the study's inputs are listed in
	// divergences (decoders_test.go).
	agrees bool
}

// stdV2Engine reports whether encoding/json runs on the v2 engine, as it does from go1.27 on.
// It is seen in what it does: it reads a time written with \u escapes, which v1 hands as it
// is to time.Time.UnmarshalJSON, which fails.
func stdV2Engine() bool {
	var t time.Time
	return json.Unmarshal([]byte(`"2026\u002d10-05T07:31:09Z"`), &t) == nil
}

// stdJSON is the baseline: what wrapper/decode.go calls today.
var stdJSON = decoder{name: "encoding-json", agrees: true, unmarshal: func(data []byte, b *pageBody) error {
	return json.Unmarshal(data, b)
}}

// decoders are the candidates, encoding/json first (benchratios divides by it). Files with
// build constraints add those that only some toolchains or architectures have
// (decoders_jsonv2.go, decoders_sonic.go).
var decoders = []decoder{
	stdJSON,
	{name: "go-json-experiment", unmarshal: func(data []byte, b *pageBody) error {
		return gjx.Unmarshal(data, b)
	}},
	// The v1 options are encoding/json's behaviour on go-json-experiment's engine, which is
	// go1.27's encoding/json: there, this is encoding/json under another name.
	{name: "go-json-experiment-v1opts", agrees: stdV2Engine(), unmarshal: func(data []byte, b *pageBody) error {
		return gjx.Unmarshal(data, b, gjxv1.DefaultOptionsV1())
	}},
	{name: "jsoniter-std", unmarshal: func(data []byte, b *pageBody) error {
		return jsoniter.ConfigCompatibleWithStandardLibrary.Unmarshal(data, b)
	}},
	{name: "segmentio", unmarshal: func(data []byte, b *pageBody) error {
		return segmentio.Unmarshal(data, b)
	}},
	// goccy follows encoding/json v1, escaped times and all.
	{name: "goccy", agrees: !stdV2Engine(), unmarshal: func(data []byte, b *pageBody) error {
		return goccy.Unmarshal(data, b)
	}},
	// easyjson's decoder is generated for pageBody (pagebody_easyjson.go).
	{name: "easyjson", unmarshal: func(data []byte, b *pageBody) error {
		return easyjson.Unmarshal(data, b)
	}},
}
