import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

/// Golden values: three updates of p = [1, −2, 0.5] with lr 0.1 and the
/// gradients below. The expected numbers were computed with NumPy (float64),
/// applying COURSE.md's formulas line by line:
/// ```
/// gs = [[0.1,-0.2,0.3], [0.2,0.1,-0.4], [-0.3,0.05,0.1]]
/// e.g. Adam: t+=1; lr_t=lr*sqrt(1-0.999**t)/(1-0.9**t); m+=0.1*(g-m); v+=0.001*(g**2-v); p-=lr_t*m/(sqrt(v)+1e-7)
/// ```
final class OptimizerTests: XCTestCase {
    private let gradients: [[Double]] = [[0.1, -0.2, 0.3], [0.2, 0.1, -0.4], [-0.3, 0.05, 0.1]]

    private func assertSteps(
        _ kind: OptimizerKind, _ expected: [[Double]], file: StaticString = #filePath, line: UInt = #line
    ) {
        let p = Parameter<Double>(name: "W1", kind: .weight, value: Tensor([1, -2, 0.5]))
        var optimizer = kind.make(Double.self)
        for (step, g) in gradients.enumerated() {
            p.gradient = Tensor(g)
            optimizer.update([p])
            assertClose(p.value.scalars, expected[step], tolerance: 1e-12, "\(kind) step \(step + 1)", file: file, line: line)
        }
    }

    func testSGD() {
        assertSteps(.sgd(learningRate: 0.1), [[0.99, -1.98, 0.47], [0.97, -1.99, 0.51], [1.0, -1.995, 0.5]])
    }

    func testMomentum() {
        assertSteps(.momentum(learningRate: 0.1),
                    [[0.99, -1.98, 0.47], [0.961, -1.972, 0.483], [0.9649, -1.9698, 0.4847]])
    }

    func testNesterov() {
        assertSteps(.nesterov(learningRate: 0.1),
                    [[0.981, -1.962, 0.443], [0.9349, -1.9648, 0.4947], [0.96841, -1.96782, 0.48623]])
    }

    func testAdaGrad() {
        assertSteps(.adagrad(learningRate: 0.1), [
            [0.9000000999999, -1.900000049999975, 0.40000003333332224],
            [0.8105574208998906, -1.9447213895499798, 0.4800000173333255],
            [0.8907357720450522, -1.9665431690497737, 0.46038840766566014],
        ])
    }

    func testRMSProp() {
        assertSteps(.rmsprop(learningRate: 0.1), [
            [9.999900000723372e-06, -1.0000049999749998, -0.49999666667777776],
            [-0.8953089541736001, -1.4490162389219576, 0.30144562724548973],
            [-0.09180661222958397, -1.6691194655854458, 0.10403833089099848],
        ])
    }

    func testAdam() {
        assertSteps(.adam(learningRate: 0.1), [
            [0.9000031621776633, -1.9000015811138304, 0.4000010540814423],
            [0.8034863246862082, -1.8733682539506664, 0.41935197258710166],
            [0.8101461699460819, -1.8672294524676747, 0.4214831410343939],
        ])
    }

    func testRMSPropWithDecayOneExplodes() {
        // h stays 0, so the step is lr·g / 1e-7: the course's "decay 1 never learns".
        let p = Parameter<Double>(name: "W1", kind: .weight, value: Tensor([0]))
        p.gradient = Tensor([0.1])
        var optimizer = OptimizerKind.rmsprop(learningRate: 0.01, decay: 1).make(Double.self)
        optimizer.update([p])
        XCTAssertEqual(p.value[0], -0.01 * 0.1 / 1e-7, accuracy: 1e-3)
    }
}
