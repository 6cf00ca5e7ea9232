package redisstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
)

// sealVersion is the first byte of every sealed value, and part of what it is bound to: a
// later format gets another, so that no value is read as what it is not.
const sealVersion = 1

// What a sealed value is: bound into its additional data, so that one kind cannot be read
// as another.
const (
	sealPage    = 'p' // a page: its ETag, header and body
	sealConfirm = 'c' // a confirmation: the ETag GitHub confirmed, to whom, when
)

// sealOverhead is what sealing adds to a value: the version byte, the nonce and GCM's tag.
const sealOverhead = 1 + 12 + 16

var errUnsealed = errors.New("sealed value does not open")

// sealer seals and opens values with AES-256-GCM under keys derived from WithEncryptionKey's
// key, and hashes what the scripts must compare or name with HMAC-SHA256, so that Redis sees
// neither pages nor ETags.
type sealer struct {
	aead    cipher.AEAD
	etagKey []byte // HMAC key of the ETags kept beside sealed pages
	nameKey []byte // HMAC key of page names
}

// newSealer derives the sealer's keys from key (32 bytes): one for each use, so that no key
// serves two purposes.
func newSealer(key []byte) (*sealer, error) {
	derive := func(purpose string) ([]byte, error) {
		return hkdf.Key(sha256.New, key, nil, "ghjobs redisstore v1 "+purpose, 32)
	}
	aesKey, err := derive("seal")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &sealer{aead: aead}
	if s.etagKey, err = derive("etag"); err != nil {
		return nil, err
	}
	if s.nameKey, err = derive("page name"); err != nil {
		return nil, err
	}
	return s, nil
}

// place is where a sealed value is kept: bound into its additional data, so that Redis
// cannot move it to another key prefix, scope or page, nor pass one kind off as another.
type place struct {
	prefix, scope, page string
}

func (p place) additionalData(kind byte) []byte {
	b := []byte{sealVersion, kind}
	for _, s := range []string{p.prefix, p.scope, p.page} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// seal returns plain encrypted and authenticated for p, with a fresh random nonce:
// version byte, nonce, ciphertext and tag.
func (s *sealer) seal(p place, kind byte, plain []byte) []byte {
	out := make([]byte, 1+s.aead.NonceSize(), sealOverhead+len(plain))
	out[0] = sealVersion
	rand.Read(out[1:]) // never fails (crypto/rand)
	return s.aead.Seal(out, out[1:], plain, p.additionalData(kind))
}

// open returns what seal sealed for p, or errUnsealed for anything else: another key,
// another place or kind, a changed byte.
func (s *sealer) open(p place, kind byte, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return nil, errUnsealed
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], p.additionalData(kind))
	if err != nil {
		return nil, errUnsealed
	}
	return plain, nil
}

// etagTag is what Redis keeps of a sealed page's ETag, for the scripts to compare.
func (s *sealer) etagTag(etag string) string { return mac(s.etagKey, etag) }

// pageName is the name of page's key in Redis: a keyed hash, so that Redis cannot tell which
// listing a page is of, and processes with another key never read these pages.
func (s *sealer) pageName(page string) string { return mac(s.nameKey, page) }

func mac(key []byte, s string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
