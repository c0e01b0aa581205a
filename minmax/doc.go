// Package minmax trains privacy-preserving representations: a Deep InfoMax
// encoder (package infomax) that keeps what its input carries, against
// adversary heads (package adversary) that estimate what its code reveals
// about protected attributes.
//
// Each head is an MI estimator or a classifier on (code, attribute). At
// every training step it takes k steps that maximise its bound on the
// current batch's codes, then gives the encoder the gradient of its
// estimate with respect to the codes, weighted by λ (warmed up linearly
// over the first steps). The encoder descends
//
//	−DIM(X; E(X)) + Σ_a λ_a · Î_a(E(X); S_a)
//
// while each head ascends its own Î_a: the sign-flipped adversarial game.
// Heads: a classifier whose cross-entropy the encoder raises (gradient
// reversal, Ganin & Lempitsky 2015; the default), MINE (Donsker–Varadhan
// with the moving-average gradient), NWJ, InfoNCE and CLUB (an upper-bound
// style estimate). The heads see the codes standardised over the batch
// (see Config.RawCodes), and a head whose estimate on a batch is not above
// 0 is silent on that step (see Config.Unclamped).
//
// A head only shows what it could find during training: minimising a
// lower bound does not prove the MI is low, which is why a run ends with
// an audit by fresh attackers (package metrics), never by the training
// adversary.
package minmax
