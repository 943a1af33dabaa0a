/*
 * printos-pam-helper: checks ONE OS account password through PAM for the printos service,
 * which runs unprivileged and must never read /etc/shadow itself (docs/service.md).
 *
 * systemd starts it as root, once per connection to /run/printos/pam.sock (Accept=yes), with
 * the connection as stdin and stdout. The request is three NUL-terminated fields:
 *
 *     <user> \0 <password> \0 <peer IP address, or empty> \0
 *
 * and the answer exactly one line: "OK\n" (right password, account usable), "FAIL\n" (any
 * refusal), or "ERROR <text>\n" (a malformed request, or PAM itself cannot run). It runs
 * pam_authenticate AND pam_acct_mgmt, so expired and locked accounts are refused, and it
 * exits 0 whatever the answer (a failed instance would linger in systemd's unit list).
 *
 * Input: argv[1] (the PAM service, "printos" by default) and the request; no environment,
 * no files of its own (PAM and getpwnam read theirs). Build:
 *     cc -O2 -Wall -Wextra -o printos-pam-helper printos-pam-helper.c -lpam
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_USER 64
#define MAX_PASSWORD 1024
#define MAX_PEER 45 /* INET6_ADDRSTRLEN - 1: the longest IPv6 literal */
#define MAX_REQUEST (MAX_USER + 1 + MAX_PASSWORD + 1 + MAX_PEER + 1)
#define MAX_SERVICE 64
/* A client that connects and sends nothing must not hold a helper for long. */
#define READ_TIMEOUT_S 10
/* The whole PAM conversation, failure delays included; the unit's RuntimeMaxSec is 30. */
#define PAM_TIMEOUT_S 20
/* What drain() swallows at most after refusing a request it did not read to its end. */
#define MAX_DRAIN (64 * 1024)

enum verdict { VERDICT_OK, VERDICT_FAIL, VERDICT_ERROR };

/* What the conversation function answers with: the password, at most once. */
struct conv_data {
    const char *password;
    int answered;
};

static void write_all(const char *text)
{
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t done = write(STDOUT_FILENO, text, left);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return; /* the caller went away: nobody to tell */
        text += done;
        left -= (size_t)done;
    }
}

/* Async-signal-safe: write(2) and _exit(2) only. */
static void on_timeout(int sig)
{
    static const char line[] = "ERROR timeout\n";
    ssize_t ignored = write(STDOUT_FILENO, line, sizeof line - 1);
    (void)ignored;
    (void)sig;
    _exit(0);
}

/*
 * Reads until the third NUL. Refuses a request that is too long, ends early, holds more
 * than three fields, or has bytes after the third NUL in the same read.
 */
static int read_request(char *buf, size_t cap)
{
    size_t used = 0;
    int nuls = 0;
    while (nuls < 3) {
        if (used == cap)
            return -1;
        ssize_t got = read(STDIN_FILENO, buf + used, cap - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        for (size_t i = used; i < used + (size_t)got; i++)
            if (buf[i] == '\0')
                nuls++;
        used += (size_t)got;
    }
    return nuls == 3 && buf[used - 1] == '\0' ? 0 : -1;
}

/* What useradd accepts by default: [a-z_][a-z0-9_.-]*, optionally ending in '$'. */
static int valid_user(const char *user)
{
    size_t len = strlen(user);
    if (len == 0 || len > MAX_USER)
        return 0;
    if (!((user[0] >= 'a' && user[0] <= 'z') || user[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++) {
        char c = user[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-';
        if (!plain && !(c == '$' && i == len - 1))
            return 0;
    }
    return 1;
}

/* An IP literal or nothing: it becomes PAM_RHOST, which modules log and match on. */
static int valid_peer(const char *peer)
{
    unsigned char addr[sizeof(struct in6_addr)];
    size_t len = strlen(peer);
    if (len == 0)
        return 1;
    if (len > MAX_PEER)
        return 0;
    return inet_pton(AF_INET, peer, addr) == 1 || inet_pton(AF_INET6, peer, addr) == 1;
}

/* A file name under /etc/pam.d: no '/', no leading '.'. */
static int valid_service(const char *service)
{
    size_t len = strlen(service);
    if (len == 0 || len > MAX_SERVICE)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = service[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    (i > 0 && (c == '_' || c == '.' || c == '-'));
        if (!plain)
            return 0;
    }
    return 1;
}

static void free_responses(struct pam_response *out, int n)
{
    for (int i = 0; i < n; i++) {
        if (out[i].resp) {
            explicit_bzero(out[i].resp, strlen(out[i].resp));
            free(out[i].resp);
        }
    }
    free(out);
}

/*
 * Answers the first hidden prompt (the password) with the password. A visible prompt (a
 * user name, a one-time code) or a second hidden one cannot be answered: the check fails.
 * Messages are ignored. PAM frees the responses.
 */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp,
                    void *appdata)
{
    struct conv_data *data = appdata;
    if (n <= 0 || n > PAM_MAX_NUM_MSG)
        return PAM_CONV_ERR;
    struct pam_response *out = calloc((size_t)n, sizeof *out);
    if (!out)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            if (data->answered)
                goto refuse;
            out[i].resp = strdup(data->password);
            if (!out[i].resp)
                goto refuse;
            data->answered = 1;
            break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            break;
        default:
            goto refuse;
        }
    }
    *resp = out;
    return PAM_SUCCESS;
refuse:
    free_responses(out, n);
    return PAM_CONV_ERR;
}

/* PAM's "no": the password, the account, or a prompt we could not answer. */
static int is_refusal(int rc)
{
    switch (rc) {
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN:
    case PAM_CRED_INSUFFICIENT:
    case PAM_MAXTRIES:
    case PAM_PERM_DENIED:
    case PAM_ACCT_EXPIRED:
    case PAM_NEW_AUTHTOK_REQD:
    case PAM_AUTHTOK_EXPIRED:
    case PAM_CONV_ERR:
        return 1;
    default:
        return 0;
    }
}

static enum verdict check(const char *service, const char *user, const char *password,
                          const char *peer, char *error, size_t error_len)
{
    struct conv_data data = {password, 0};
    struct pam_conv conv = {converse, &data};
    pam_handle_t *pamh = NULL;
    const char *stage = "pam_start";
    int rc = pam_start(service, user, &conv, &pamh);
    if (rc != PAM_SUCCESS) {
        snprintf(error, error_len, "%s: %s", stage, pam_strerror(pamh, rc));
        return VERDICT_ERROR;
    }
    if (peer[0] != '\0') {
        stage = "pam_set_item";
        rc = pam_set_item(pamh, PAM_RHOST, peer);
    }
    if (rc == PAM_SUCCESS) {
        stage = "pam_authenticate";
        rc = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    }
    if (rc == PAM_SUCCESS) {
        /* Expiry, locks, access rules: what pam_authenticate alone does not look at. */
        stage = "pam_acct_mgmt";
        rc = pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    }
    enum verdict verdict = VERDICT_OK;
    if (rc != PAM_SUCCESS) {
        verdict = is_refusal(rc) ? VERDICT_FAIL : VERDICT_ERROR;
        snprintf(error, error_len, "%s: %s", stage, pam_strerror(pamh, rc));
    }
    pam_end(pamh, rc);
    return verdict;
}

/* One line, whatever the text holds (a translated PAM message). */
static void one_line(char *text)
{
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

/*
 * After answering a request that was not read to its end: close our sending side (the
 * caller sees the answer, then the end) and swallow a bounded rest of the request. Closing
 * with unread bytes would reset the connection, and the caller could lose the answer.
 */
static void drain(void)
{
    char sink[4096];
    size_t total = 0;
    shutdown(STDOUT_FILENO, SHUT_WR);
    alarm(READ_TIMEOUT_S);
    while (total < MAX_DRAIN) {
        ssize_t got = read(STDIN_FILENO, sink, sizeof sink);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        total += (size_t)got;
    }
    alarm(0);
}

static void answer_error(const char *text)
{
    char line[256];
    snprintf(line, sizeof line, "ERROR %s", text);
    one_line(line);
    fprintf(stderr, "printos-pam-helper: %s\n", line);
    write_all(line);
    write_all("\n");
}

int main(int argc, char **argv)
{
    /* No core dump, no ptrace by the caller's user: the password is in this memory. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* A caller that went away turns write() into EPIPE instead of killing us. */
    signal(SIGPIPE, SIG_IGN);
    struct sigaction timeout = {0};
    timeout.sa_handler = on_timeout;
    sigaction(SIGALRM, &timeout, NULL);

    char request[MAX_REQUEST];
    alarm(READ_TIMEOUT_S);
    int bad = read_request(request, sizeof request);
    alarm(0);
    /* The request is read first in every case, so that the answer is not lost (drain()). */
    const char *service = argc > 1 ? argv[1] : "printos";
    if (argc > 2 || !valid_service(service)) {
        explicit_bzero(request, sizeof request);
        answer_error("usage: printos-pam-helper [pam-service]");
        drain();
        return 0;
    }
    if (bad) {
        explicit_bzero(request, sizeof request);
        answer_error("bad request");
        drain();
        return 0;
    }
    /* Three NUL-terminated strings, all within what was read (read_request). */
    const char *user = request;
    const char *password = user + strlen(user) + 1;
    const char *peer = password + strlen(password) + 1;
    if (!valid_user(user) || strlen(password) > MAX_PASSWORD || !valid_peer(peer)) {
        explicit_bzero(request, sizeof request);
        answer_error("bad request");
        return 0;
    }

    enum verdict verdict = VERDICT_FAIL;
    char error[200] = "";
    struct passwd *account = getpwnam(user);
    /*
     * Refused without asking PAM: an empty password, and uid 0 (a compromised service must
     * not get an oracle for root's password; the web interface never signs root in).
     */
    if (password[0] != '\0' && !(account && account->pw_uid == 0)) {
        alarm(PAM_TIMEOUT_S);
        verdict = check(service, user, password, peer, error, sizeof error);
        alarm(0);
    }
    explicit_bzero(request, sizeof request);

    if (verdict == VERDICT_OK) {
        write_all("OK\n");
    } else if (verdict == VERDICT_FAIL) {
        /* The reason goes to the journal only (no user name: it may be a mistyped password). */
        if (error[0] != '\0') {
            one_line(error);
            fprintf(stderr, "printos-pam-helper: refused: %s\n", error);
        }
        write_all("FAIL\n");
    } else {
        answer_error(error);
    }
    return 0;
}
