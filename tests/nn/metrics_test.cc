// Metrics on small hand-made batches.
#include "tinyforge/nn/metrics.h"

#include <gtest/gtest.h>

#include "tinyforge/error.h"

namespace tinyforge::nn {
namespace {

// Rows whose argmax is 1, 0, 2.
const Tensor kPred({3, 3}, {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f, 0.2f, 0.2f, 0.6f});

TEST(Metrics, AccuracyChoosesByShape) {
  Accuracy acc;
  acc.update(Tensor({3}, {1, 1, 2}), kPred);  // sparse: 2 of 3
  EXPECT_NEAR(acc.result(), 2.0 / 3, 1e-12);
  acc.update(Tensor({3, 3}, {0, 1, 0, 1, 0, 0, 1, 0, 0}), kPred);  // one-hot: 2 more of 3
  EXPECT_NEAR(acc.result(), 4.0 / 6, 1e-12);
  acc.reset();
  acc.update(Tensor({4, 1}, {1, 0, 1, 0}), Tensor({4, 1}, {0.9f, 0.2f, 0.4f, 0.6f}));  // binary: 2 of 4
  EXPECT_NEAR(acc.result(), 0.5, 1e-12);
  EXPECT_EQ(acc.name(), "accuracy");
  EXPECT_THROW(acc.update(Tensor({2}), kPred), Error);
  EXPECT_THROW(acc.update(Tensor({3}, {0, 1, 3}), kPred), Error);  // label out of range
}

TEST(Metrics, SpecificAccuracies) {
  SparseCategoricalAccuracy s;
  s.update(Tensor({3, 1}, {1, 0, 0}), kPred);
  EXPECT_NEAR(s.result(), 2.0 / 3, 1e-12);
  CategoricalAccuracy c;
  c.update(Tensor({3, 3}, {0, 1, 0, 0, 0, 1, 0, 0, 1}), kPred);
  EXPECT_NEAR(c.result(), 2.0 / 3, 1e-12);
  BinaryAccuracy b(0.7);
  b.update(Tensor({3}, {1, 0, 1}), Tensor({3}, {0.8f, 0.75f, 0.6f}));  // only the first is right
  EXPECT_NEAR(b.result(), 1.0 / 3, 1e-12);
}

TEST(Metrics, TopK) {
  SparseTopKCategoricalAccuracy top2(2);
  // Label 2 in row 0 (0.2 vs 0.7 and 0.1: one above) is in; label 2 in row 1 (two above) is out.
  top2.update(Tensor({2}, {2, 2}), Tensor({2, 3}, {0.1f, 0.7f, 0.2f, 0.6f, 0.3f, 0.1f}));
  EXPECT_NEAR(top2.result(), 0.5, 1e-12);
  TopKCategoricalAccuracy top1(1);
  top1.update(Tensor({1, 3}, {0, 0, 1}), Tensor({1, 3}, {0.3f, 0.3f, 0.3f}));  // ties count as in
  EXPECT_NEAR(top1.result(), 1.0, 1e-12);
  EXPECT_EQ(SparseTopKCategoricalAccuracy().name(), "sparse_top_k_categorical_accuracy");
}

TEST(Metrics, PrecisionRecallCounts) {
  // Keras' documented example: y_true [0, 1, 1, 1], y_pred [1, 0, 1, 1] -> tp 2, fp 1, fn 1.
  Precision p;
  Recall r;
  const Tensor t({4}, {0, 1, 1, 1}), y({4}, {1, 0, 1, 1});
  p.update(t, y);
  r.update(t, y);
  EXPECT_EQ(p.true_positives(), 2);
  EXPECT_EQ(p.false_positives(), 1);
  EXPECT_EQ(p.false_negatives(), 1);
  EXPECT_NEAR(p.result(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(r.result(), 2.0 / 3, 1e-12);
  // Threshold 0.5 on scores; class_id picks one column of one-hot rows.
  Precision pc(0.5, 1);
  pc.update(Tensor({3, 3}, {0, 1, 0, 1, 0, 0, 0, 1, 0}), kPred);  // column 1: pred [1,0,0], true [1,0,1]
  EXPECT_EQ(pc.true_positives(), 1);
  EXPECT_EQ(pc.false_positives(), 0);
  EXPECT_EQ(pc.false_negatives(), 1);
  Recall none;
  EXPECT_EQ(none.result(), 0.0);  // no positives yet: 0, not NaN
}

TEST(Metrics, F1Score) {
  F1Score bin;
  bin.update(Tensor({4, 1}, {0, 1, 1, 1}), Tensor({4, 1}, {0.9f, 0.1f, 0.8f, 0.7f}));  // tp 2 fp 1 fn 1
  EXPECT_NEAR(bin.result(), 2.0 / 3, 1e-12);
  // Multi-class, labels [1, 1, 2] vs argmax [1, 0, 2]:
  //   class 0: tp 0 fp 1 -> F1 0; class 1: tp 1 fn 1 -> 2/3; class 2: tp 1 -> 1. Macro = 5/9.
  F1Score macro;
  macro.update(Tensor({3}, {1, 1, 2}), kPred);
  EXPECT_NEAR(macro.result(), (0 + 2.0 / 3 + 1) / 3, 1e-12);
  F1Score micro("micro");  // tp 2, fp 1, fn 1 in total
  micro.update(Tensor({3, 3}, {0, 1, 0, 0, 1, 0, 0, 0, 1}), kPred);
  EXPECT_NEAR(micro.result(), 2.0 / 3, 1e-12);
  EXPECT_THROW(F1Score("weighted_by_vibes"), Error);
}

TEST(Metrics, AucKerasExampleAndExactCases) {
  // Keras' documented example with 3 thresholds [-1e-7, 0.5, 1 + 1e-7]:
  // tpr = [1, 0.5, 0], fpr = [1, 0, 0] -> 0.75.
  AUC k3(3);
  k3.update(Tensor({4}, {0, 0, 1, 1}), Tensor({4}, {0, 0.5f, 0.3f, 0.9f}));
  EXPECT_NEAR(k3.result(), 0.75, 1e-12);
  // 200 thresholds separate these scores: the exact AUC (pairs ranked right: 3 of 4) = 0.75.
  AUC auc;
  auc.update(Tensor({4}, {0, 0, 1, 1}), Tensor({4}, {0.1f, 0.4f, 0.35f, 0.8f}));
  EXPECT_NEAR(auc.result(), 0.75, 1e-12);
  // Streaming: add a perfectly ranked batch; pairs (4 pos x 4 neg): the 12 new cross pairs all
  // but (0.35 vs 0.4) are right -> 15/16.
  auc.update(Tensor({4}, {1, 0, 1, 0}), Tensor({4}, {0.95f, 0.05f, 0.9f, 0.02f}));
  EXPECT_NEAR(auc.result(), 15.0 / 16, 1e-12);
  AUC tie;
  tie.update(Tensor({2}, {0, 1}), Tensor({2}, {0.5f, 0.5f}));  // a tie is half a pair
  EXPECT_NEAR(tie.result(), 0.5, 1e-12);
  AUC perfect;  // sparse labels, softmax rows: pooled one-vs-rest
  perfect.update(Tensor({2}, {0, 1}), Tensor({2, 2}, {0.9f, 0.1f, 0.2f, 0.8f}));
  EXPECT_NEAR(perfect.result(), 1.0, 1e-12);
}

TEST(Metrics, RegressionMetrics) {
  MeanSquaredErrorMetric mse;
  mse.update(Tensor({2, 2}, {0, 1, 0, 0}), Tensor({2, 2}, {1, 1, 1, 0}));
  EXPECT_NEAR(mse.result(), 0.5, 1e-12);
  mse.update(Tensor({1, 2}, {0, 0}), Tensor({1, 2}, {2, 0}));  // (2 + 4) / 6
  EXPECT_NEAR(mse.result(), 1.0, 1e-12);
  MeanAbsoluteErrorMetric mae;
  mae.update(Tensor({2}, {1, -1}), Tensor({2}, {0.5f, 1}));
  EXPECT_NEAR(mae.result(), 1.25, 1e-12);
}

TEST(Metrics, ConfusionMatrix) {
  ConfusionMatrix cm(3);
  cm.update(Tensor({3}, {1, 1, 2}), kPred);                                  // (1->1), (1->0), (2->2)
  cm.update(Tensor({1, 3}, {0, 0, 1}), Tensor({1, 3}, {0.1f, 0.8f, 0.1f}));  // (2->1)
  const auto m = cm.matrix();
  EXPECT_EQ(m[1][1], 1);
  EXPECT_EQ(m[1][0], 1);
  EXPECT_EQ(m[2][2], 1);
  EXPECT_EQ(m[2][1], 1);
  EXPECT_EQ(m[0][0] + m[0][1] + m[0][2], 0);
  EXPECT_NEAR(cm.result(), 0.5, 1e-12);
  ConfusionMatrix binary;  // size from the data: one column -> 2 classes
  binary.update(Tensor({3}, {1, 0, 1}), Tensor({3, 1}, {0.7f, 0.6f, 0.2f}));
  EXPECT_EQ(binary.num_classes(), 2);
  EXPECT_EQ(binary.count(1, 1), 1);
  EXPECT_EQ(binary.count(0, 1), 1);
  EXPECT_EQ(binary.count(1, 0), 1);
  EXPECT_THROW(cm.update(Tensor({1}, {0}), Tensor({1, 4}, {1, 0, 0, 0})), Error);
}

TEST(Metrics, Factory) {
  EXPECT_EQ(make_metric("accuracy")->name(), "accuracy");
  EXPECT_EQ(make_metric("acc")->name(), "acc");
  EXPECT_EQ(make_metric("mse")->name(), "mse");
  EXPECT_EQ(make_metric("auc")->name(), "auc");
  EXPECT_EQ(make_metric("f1_score")->name(), "f1_score");
  EXPECT_EQ(make_metric("confusion_matrix")->name(), "confusion_matrix");
  EXPECT_THROW(make_metric("vibes"), Error);
}

}  // namespace
}  // namespace tinyforge::nn
