import Foundation

/// The MNIST sample bundled with ScratchData: real MNIST, the first 5,000 training and the
/// first 1,000 test images and labels, as four gzipped IDX files.
///
/// It lets every hands-on run with no download (the course's MLP hands-ons train on the
/// first 300 or 5,000 training images). `scripts/make-mnist-sample.py` makes it from the full
/// files; ``MNISTLocator`` falls back to it when full MNIST is not available.
public enum MNISTSample {
    /// Training images in the sample.
    public static let trainingCount = 5000
    /// Test images in the sample.
    public static let testCount = 1000

    /// The folder holding the sample's four files.
    ///
    /// Found through `Bundle.module` (the `ScratchNet_ScratchData` resource bundle that
    /// SwiftPM places beside the executable); when that bundle is absent, the package's source
    /// folder is tried, so a moved binary gets an error instead of a crash.
    /// - Throws: ``MNISTDataError/sampleMissing(searched:)``.
    public static func directory() throws -> String {
        var searched: [String] = []
        // Bundle.module stops the program when its bundle is missing, so look first.
        let bundleCandidates = resourceBundleCandidates()
        if bundleCandidates.contains(where: { FileManager.default.fileExists(atPath: $0) }),
           let url = Bundle.module.url(forResource: "mnist-sample", withExtension: nil) {
            if isSampleFolder(url.path) { return url.path }
            searched.append(url.path)
        } else {
            searched.append(contentsOf: bundleCandidates)
        }
        let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/mnist-sample").path
        if isSampleFolder(sourceFolder) { return sourceFolder }
        searched.append(sourceFolder)
        throw MNISTDataError.sampleMissing(searched: searched)
    }

    private static func isSampleFolder(_ path: String) -> Bool {
        MNISTSource.missingFiles(in: path).isEmpty
    }

    /// The places `Bundle.module` looks for the resource bundle (before its build-folder path).
    private static func resourceBundleCandidates() -> [String] {
        let names = ["ScratchNet_ScratchData.resources", "ScratchNet_ScratchData.bundle"]
        var folders = [Bundle.main.bundleURL]
        if let resources = Bundle.main.resourceURL { folders.append(resources) }
        var candidates: [String] = []
        for folder in folders {
            for name in names {
                let path = folder.appendingPathComponent(name).path
                if !candidates.contains(path) { candidates.append(path) }
            }
        }
        return candidates
    }
}
