import Glibc

/// sha256 on a second thread, beside the unpack (pull and import only; never on the hot
/// path, and the thread has ended before any container is cloned). The unpacker hands it
/// each chunk it reads and may not overwrite that chunk until `waitIdle` returns; hashing
/// 300 MB for a large layer (its blob and its uncompressed stream) then costs no wall time,
/// as gzip's own process costs tar none.
final class HashWorker: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var pending: UnsafeRawBufferPointer?
    private var stopping = false
    private var hash = SHA256()
    private var thread = pthread_t()
    private var started = false
    private var result: Digest?

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
        let me = Unmanaged.passRetained(self).toOpaque()
        started = pthread_create(&thread, nil, { arg in
            let w = Unmanaged<HashWorker>.fromOpaque(arg!).takeRetainedValue()
            w.loop()
            return nil
        }, me) == 0
        if !started { Unmanaged<HashWorker>.fromOpaque(me).release() }
    }

    private func loop() {
        pthread_mutex_lock(&mutex)
        while true {
            while pending == nil && !stopping { pthread_cond_wait(&cond, &mutex) }
            guard let chunk = pending else { break }
            pthread_mutex_unlock(&mutex)
            hash.update(chunk)
            pthread_mutex_lock(&mutex)
            pending = nil
            pthread_cond_broadcast(&cond)
        }
        pthread_mutex_unlock(&mutex)
    }

    /// Queues a chunk (waiting for the previous one to be done).
    func submit(_ chunk: UnsafeRawBufferPointer) {
        guard chunk.count > 0 else { return }
        guard started else { hash.update(chunk); return }
        pthread_mutex_lock(&mutex)
        while pending != nil { pthread_cond_wait(&cond, &mutex) }
        pending = chunk
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Returns once no chunk is being hashed: its memory may be reused.
    func waitIdle() {
        guard started else { return }
        pthread_mutex_lock(&mutex)
        while pending != nil { pthread_cond_wait(&cond, &mutex) }
        pthread_mutex_unlock(&mutex)
    }

    /// Ends the thread and returns the digest of everything submitted.
    func finish() -> Digest {
        if let r = result { return r }
        if started {
            pthread_mutex_lock(&mutex)
            while pending != nil { pthread_cond_wait(&cond, &mutex) }
            stopping = true
            pthread_cond_broadcast(&cond)
            pthread_mutex_unlock(&mutex)
            pthread_join(thread, nil)
            started = false
        }
        let r = hash.finish()
        result = r
        return r
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }
}
