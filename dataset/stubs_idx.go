package dataset

import "errors"

// TODO(helper A): replace this file with idx.go, mnist.go, styled.go.

func LoadMNIST() (*Dataset, error)            { return nil, errors.New("not implemented") }
func LoadIDXDir(dir string) (*Dataset, error) { return nil, errors.New("not implemented") }

type StyledSpec struct{ Seed uint64 }

func StyledMNIST(spec StyledSpec) (*Dataset, error) { return nil, errors.New("not implemented") }
