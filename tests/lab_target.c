/* A small program for the lab-mode tests (tests/test_lab_*.py): it does exactly the native calls the
 * Frida agent of `inspector trace` watches, in the order given on its command line, so a test knows
 * which events must be recorded. Compiled by the tests with gcc.
 *
 *   open PATH | openat PATH | opendir PATH | unlink PATH | openhex HEX (a path of raw bytes)
 *   connect IPV4 PORT            TCP connect to a listener the test runs
 *   loop N PATH                  open()+close() PATH N times (the flood and the benchmark)
 *   sleep MS | wait-stdin        pause; block until stdin is closed
 *   crash                        die of SIGSEGV
 *   exec PATH [ARG...]           execve() PATH with the remaining arguments (must come last)
 *
 * It prints "ready" on stdout before it starts, and "done" when it has done everything.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("ready\n");
    for (int i = 1; i < argc; i++) {
        const char *cmd = argv[i];
        if (!strcmp(cmd, "open") && i + 1 < argc) {
            int fd = open(argv[++i], O_RDONLY);
            if (fd >= 0) close(fd);
        } else if (!strcmp(cmd, "openat") && i + 1 < argc) {
            int fd = openat(AT_FDCWD, argv[++i], O_RDONLY);
            if (fd >= 0) close(fd);
        } else if (!strcmp(cmd, "opendir") && i + 1 < argc) {
            DIR *d = opendir(argv[++i]);
            if (d) {
                while (readdir(d)) {
                }
                closedir(d);
            }
        } else if (!strcmp(cmd, "unlink") && i + 1 < argc) {
            unlink(argv[++i]);
        } else if (!strcmp(cmd, "openhex") && i + 1 < argc) {
            const char *hex = argv[++i];
            char path[4096];
            size_t n = 0;
            for (size_t k = 0; hex[k] && hex[k + 1] && n + 1 < sizeof path; k += 2) {
                path[n++] = (char)(hexval(hex[k]) * 16 + hexval(hex[k + 1]));
            }
            path[n] = 0;
            int fd = open(path, O_RDONLY);
            if (fd >= 0) close(fd);
        } else if (!strcmp(cmd, "connect") && i + 2 < argc) {
            struct sockaddr_in addr;
            memset(&addr, 0, sizeof addr);
            addr.sin_family = AF_INET;
            addr.sin_port = htons((unsigned short)atoi(argv[i + 2]));
            inet_pton(AF_INET, argv[i + 1], &addr.sin_addr);
            i += 2;
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(s, (struct sockaddr *)&addr, sizeof addr) == 0) {
                (void)!write(s, "hello", 5);
            }
            close(s);
        } else if (!strcmp(cmd, "loop") && i + 2 < argc) {
            long n = atol(argv[++i]);
            const char *path = argv[++i];
            struct timespec a, b;
            clock_gettime(CLOCK_MONOTONIC, &a);
            for (long k = 0; k < n; k++) {
                int fd = open(path, O_RDONLY);
                if (fd >= 0) close(fd);
            }
            clock_gettime(CLOCK_MONOTONIC, &b);
            printf("loop %.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
        } else if (!strcmp(cmd, "sleep") && i + 1 < argc) {
            usleep((useconds_t)atoi(argv[++i]) * 1000);
        } else if (!strcmp(cmd, "wait-stdin")) {
            char buf[64];
            while (read(0, buf, sizeof buf) > 0) {
            }
        } else if (!strcmp(cmd, "crash")) {
            raise(SIGSEGV);
        } else if (!strcmp(cmd, "exec") && i + 1 < argc) {
            execve(argv[i + 1], &argv[i + 1], environ);
            perror("execve");
            return 3;
        } else {
            fprintf(stderr, "unknown command %s\n", cmd);
            return 2;
        }
    }
    printf("done\n");
    return 0;
}
