// Ceiling peer for `make bench`: the least work an HTTP/1.1 keep-alive server can do on this machine.
// Every request (anything ending in CRLF CRLF; bodies are not expected) gets the same 200 answer.
// One epoll loop per thread over one shared listening socket (EPOLLEXCLUSIVE wakes one thread).
//   epoll_server PORT_FILE [THREADS]   binds 127.0.0.1:0 and writes the chosen port to PORT_FILE
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char kReply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: 15\r\n\r\n{\"status\":\"ok\"}";
static int listen_fd;

typedef struct { int fd; int used; char buf[8192]; } conn;  // bytes of an unfinished request

static void *loop(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    char out[64 * sizeof kReply];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (c == NULL) {  // new connections
                int fd;
                while ((fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            ssize_t r = read(c->fd, c->buf + c->used, sizeof c->buf - 1 - c->used);
            if (r <= 0) { close(c->fd); free(c); continue; }  // EOF, error, or a request too large
            c->used += (int)r;
            c->buf[c->used] = '\0';
            size_t out_len = 0;
            char *start = c->buf, *end;
            while ((end = strstr(start, "\r\n\r\n")) != NULL && out_len + sizeof kReply < sizeof out) {
                memcpy(out + out_len, kReply, sizeof kReply - 1);  // pipelined requests answered in one write
                out_len += sizeof kReply - 1;
                start = end + 4;
            }
            c->used -= (int)(start - c->buf);
            memmove(c->buf, start, (size_t)c->used);
            if (out_len > 0 && write(c->fd, out, out_len) != (ssize_t)out_len) { close(c->fd); free(c); }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT_FILE [THREADS]\n", argv[0]); return 2; }
    int threads = argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listen_fd, (struct sockaddr *)&addr, len) != 0 || listen(listen_fd, 4096) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&addr, &len) != 0) { perror("epoll_server"); return 1; }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);  // rename: a reader never sees a half-written file
    FILE *pf = fopen(tmp, "w");
    if (pf == NULL) { perror(tmp); return 1; }
    fprintf(pf, "%d\n", ntohs(addr.sin_port));
    if (fclose(pf) != 0 || rename(tmp, argv[1]) != 0) { perror(argv[1]); return 1; }
    pthread_t tid;
    for (int t = 1; t < threads; t++) pthread_create(&tid, NULL, loop, NULL);
    loop(NULL);
}
