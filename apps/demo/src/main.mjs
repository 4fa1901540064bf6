// A small autograd demo: a two-layer network learns a nonlinear function (a noisy XOR on
// points in the plane) with hand-written gradient descent. Everything here is the public
// API of the `tessera` package: tensors, backward(), noGrad(), tidy().
import * as ts from "tessera";

ts.manualSeed(0);

// 256 points in [-1, 1]²; the label is 1 where x·y > 0 (the two quadrants of XOR).
const points = ts.rand([256, 2]).mul(2).sub(1);
const labels = ts.noGrad(() => points.select(1, 0).mul(points.select(1, 1)).gt(0).to("float32").unsqueeze(1));

const hidden = 16;
const w1 = ts.randn([2, hidden]).mul(0.5).detach().requiresGrad_();
const b1 = ts.zeros([hidden], { requiresGrad: true });
const w2 = ts.randn([hidden, 1]).mul(0.5).detach().requiresGrad_();
const b2 = ts.zeros([1], { requiresGrad: true });
const params = [w1, b1, w2, b2];

const forward = (x) => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
const bce = (logits, y) => {
  // Binary cross-entropy on logits, in the stable form max(z,0) − z·y + log(1 + e^−|z|).
  return logits.relu().sub(logits.mul(y)).add(logits.abs().neg().exp().add(1).log()).mean();
};

const lr = 0.5;
for (let step = 0; step <= 600; step++) {
  const loss = ts.tidy(() => {
    const l = bce(forward(points), labels);
    l.backward();
    ts.noGrad(() => {
      for (const p of params) {
        p.sub_(p.grad.mul(lr));
        p.grad.zero_(); // reuse the gradient buffers: the next backward accumulates into them
      }
    });
    return l;
  });
  if (step % 100 === 0) {
    const accuracy = ts.tidy(() => forward(points).gt(0).to("float32").eq(labels).to("float32").mean().itemSync());
    console.log(`step ${String(step).padStart(3)}  loss ${loss.itemSync().toFixed(4)}  accuracy ${(accuracy * 100).toFixed(1)}%`);
  }
  loss.dispose();
}
const { tensors, bytes } = ts.memory();
console.log(`live tensors: ${tensors}, bytes: ${bytes}`);
