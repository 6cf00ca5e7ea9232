package bench

import "github.com/ghjobs/ghjobs/generated"

//go:generate go tool easyjson -no_std_marshalers pagebody.go

// pageBody is the type wrapper's decodePage decodes a page into (wrapper/decode.go): the
// generated JobsPage with total_count as a pointer, which shadows the embedded field. The
// decoder study (decoders.go) decodes into exactly this, so that what it measures and
// compares is what the wrapper would get. easyjson's methods are generated for it without
// MarshalJSON/UnmarshalJSON, which every other decoder would call.
//
//easyjson:json
type pageBody struct {
	generated.JobsPage
	TotalCount *int `json:"total_count"` // shadows JobsPage.TotalCount: the shallower field wins
}
