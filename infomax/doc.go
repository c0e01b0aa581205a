// Package infomax trains Deep InfoMax encoders (Hjelm et al., ICLR 2019):
// an encoder E maps an input x to a code y = E(x) and is trained to
// maximise an estimate of the mutual information between its input and
// its code.
//
// For images, a convolutional encoder yields a local feature map (M×M
// locations of C channels, each seeing a patch of the image) and a global
// code y. Local DIM scores y against every local feature of the same image
// (positives) and of the other images of the batch (negatives); global DIM
// scores y against the whole map; prior matching pushes the codes towards
// a N(0, I) prior through an adversarial discriminator. The critics are
// encode-and-dot: the local features (a 1×1 convolution), the flattened map
// and the code are embedded linearly and scored by dot products, so a batch
// of B images and M² locations needs one B × B·M² matrix product. With
// Config.Center the encoder first shifts each image so that the centre of
// mass of its ink sits at the image centre (MNIST's own normalisation),
// in training and once trained: its codes cannot depend on where in the
// frame the content sat.
//
// For tables and vectors, which have no spatial map, an MLP encoder's code
// is scored against an embedding of a corrupted view of the same row
// (positive) and of other rows (negatives): each feature of the view is
// replaced, with probability Corrupt, by the same feature of another row of
// the batch (SCARF, Bahri et al. 2022). The code must then carry what the
// row's surviving features say about the row: a DIM objective without a
// spatial map.
//
// The MI estimators are JSD (the default; a training signal), InfoNCE and
// Donsker–Varadhan, computed from a score matrix by Estimate. The encoder
// maximises α·global + β·local (for tables: the view term) and, with γ > 0,
// fools the prior discriminator through a gradient reversal layer.
package infomax
