import CLockerShim

/// Constants glibc hides behind _GNU_SOURCE, under their usual names.
public let O_PATH: Int32 = LOCKER_O_PATH
