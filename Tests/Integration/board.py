"""The release board in a real browser (Chromium through chromedriver and selenium),
against a real `hangar serve`. Usage: board.py BASE_URL ADMIN_TOKEN DEPLOYER_TOKEN HANGAR SCREENSHOT_DIR
(the environment carries HANGAR_SERVER/HANGAR_TOKEN for the CLI moves made meanwhile).
Prints one line per check; exits 1 when one failed."""
import json
import os
import subprocess
import urllib.request
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE, ADMIN, DEPLOYER, HANGAR, SHOTS = sys.argv[1:6]
BOARD = f"{BASE}/ui/projects/demo/app/-/board"
failed = 0


def check(name, fn):
    global failed
    try:
        fn()
        print(f"ok     {name}", flush=True)
    except Exception as e:  # one failed check does not stop the others
        failed += 1
        print(f"FAILED {name}: {type(e).__name__}: {e}", flush=True)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def by_test(d, name):
    return d.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def absent(d, selector):
    return len(d.find_elements(By.CSS_SELECTOR, selector)) == 0


def wait_for(what, fn, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if fn():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sign_in(d, token):
    d.get(f"{BASE}/")
    assert d.current_url.endswith("/ui/login"), d.current_url
    field = d.find_element(By.ID, "token")
    assert d.find_element(By.CSS_SELECTOR, 'label[for="token"]').text == "API token"
    field.send_keys(token)
    field.submit()
    wait_for("the project list", lambda: "demo/app" in d.page_source)


def cli(*args):
    subprocess.run([HANGAR, *args], check=True, capture_output=True)


def agent_reports(env, status, message):
    """What a deploy agent sends about the move in effect in `env` (with the deployer's token)."""
    def api(path, body=None):
        request = urllib.request.Request(f"{BASE}/api/v1/projects/demo/app/-/{path}", method="POST" if body else "GET",
                                         data=json.dumps(body).encode() if body else None,
                                         headers={"Authorization": f"Bearer {DEPLOYER}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as r:
            return json.load(r)
    move = api(f"history?env={env}&limit=1")[0]["deployment"]["id"]
    api(f"deployments/{move}/reports", {"status": status, "message": message})


def post_from_page(d, path, fields):
    """A POST the page's own origin sends with fetch(): what a forged form would do."""
    return d.execute_async_script("""
        const [path, fields, done] = arguments;
        fetch(path, {method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', credentials: 'same-origin'})
          .then(r => done(r.status)).catch(e => done(String(e)));
    """, path, fields)


admin = browser()
deployer = browser()
try:
    def signed_in():
        sign_in(admin, ADMIN)
        cookie = admin.get_cookie("hangar_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
        assert "hangar_session" not in admin.execute_script("return document.cookie"), "the session is readable from script"
        assert by_test(admin, "who").text == "release (admin)"
    check("sign in with a token; the cookie is HttpOnly and SameSite=Strict", signed_in)

    def see_board():
        admin.find_element(By.LINK_TEXT, "demo/app").click()
        wait_for("the board", lambda: by_test(admin, "pointer-production").text.startswith("▶"))
        assert "1.0.0-rc.2" in by_test(admin, "pointer-production").text
        assert by_test(admin, "cell-1.0.0-rc.2-production").get_attribute("class").split() == ["cell", "current"]
    check("the board: environments × candidates, the current pointers marked", see_board)

    def promote_by_clicking():
        by_test(admin, "promote-1.0.0-rc.1-sandbox").click()
        assert "sandbox: nothing → 1.0.0-rc.1" in by_test(admin, "move").text.replace("\n", " "), by_test(admin, "move").text
        by_test(admin, "confirm").click()
        wait_for("rc.1 in sandbox", lambda: "1.0.0-rc.1" in by_test(admin, "pointer-sandbox").text)
        assert "sandbox now runs 1.0.0-rc.1" in by_test(admin, "notice").text
    check("promote rc.1 to sandbox by clicking (confirmation names from → to)", promote_by_clicking)

    def refused_reason():
        reason = by_test(admin, "blocked-1.0.0-rc.2-staging").text
        assert "never deployed to sandbox" in reason, reason
        assert absent(admin, '[data-testid="promote-1.0.0-rc.2-staging"]')
    check("a refused promotion shows the policy's reason instead of the button", refused_reason)

    def rollback_by_clicking():
        by_test(admin, "rollback-production").click()
        assert "production: 1.0.0-rc.2 → 1.0.0-rc.1" in by_test(admin, "move").text.replace("\n", " ")
        by_test(admin, "confirm").click()
        wait_for("rc.1 in production", lambda: "1.0.0-rc.1" in by_test(admin, "pointer-production").text)
        assert "rolled-back" in by_test(admin, "cell-1.0.0-rc.2-production").get_attribute("class")
        admin.find_element(By.LINK_TEXT, "History").click()
        first = admin.find_elements(By.CSS_SELECTOR, '[data-testid="move-row"]')[0].text
        assert "production rollback 1.0.0-rc.2 1.0.0-rc.1 release" in first, first
        admin.get(BOARD)
    check("roll production back by clicking: the pointer and the history change", rollback_by_clicking)

    def live_update():
        admin.get(BOARD)
        wait_for("the board", lambda: by_test(admin, "pointer-staging"))
        admin.execute_script("window.__noReload = true")
        cli("promote", "demo/app", "1.0.0-rc.1", "--to", "staging")
        wait_for("the live update", lambda: "1.0.0-rc.1" in by_test(admin, "pointer-staging").text, seconds=15)
        agent_reports("staging", "succeeded", "rolled out to 3 hosts")
        agent_reports("production", "failed", "health check /healthz answered 503")
        wait_for("the agents' reports", lambda: "failed (health check" in by_test(admin, "report-production").text, seconds=15)
        assert "agent-1: succeeded" in by_test(admin, "report-staging").text
        assert admin.execute_script("return window.__noReload") is True, "the page was reloaded"
        assert admin.save_screenshot(os.path.join(SHOTS, "board.png")), "the screenshot was not saved"
    check("a CLI promotion and agent reports appear without a reload (Server-Sent Events)", live_update)

    def candidate_page():
        admin.get(f"{BASE}/ui/projects/demo/app/-/candidates/1.0.0-rc.2")
        assert "verified" in admin.page_source and "Against its parent (1.0.0-rc.1)" in admin.page_source
        assert admin.save_screenshot(os.path.join(SHOTS, "candidate.png")), "the screenshot was not saved"
    check("the candidate page: lineage, artifacts, diff, signatures", candidate_page)

    def keyboard_and_labels():
        admin.get(BOARD)
        unlabelled = admin.execute_script("""
            return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.closest('label'))
              .map(e => e.name);""")
        assert not unlabelled, unlabelled
        for _ in range(40):
            admin.switch_to.active_element.send_keys(Keys.TAB)
            if (admin.switch_to.active_element.get_attribute("data-testid") or "").startswith("promote-"):
                break
        else:
            raise AssertionError("Tab never reached a Promote button")
        outline = admin.execute_script("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]")
        assert outline == ["solid", "3px"], f"the focused button lacks the board's 3px focus outline: {outline}"
        admin.switch_to.active_element.send_keys(Keys.ENTER)
        wait_for("the confirmation page", lambda: by_test(admin, "move"))
    check("keyboard only: Tab reaches a Promote button (visible focus), Enter opens its confirmation; every field labelled", keyboard_and_labels)

    def csrf_missing():
        admin.get(BOARD)
        status = post_from_page(admin, "/ui/projects/demo/app/-/promote", {"env": "sandbox", "ref": "1.0.0-rc.2"})
        assert status == 403, status
    check("a form without its CSRF token is refused (403)", csrf_missing)

    def deployer_reads_only():
        sign_in(deployer, DEPLOYER)
        deployer.get(BOARD)
        wait_for("the board", lambda: by_test(deployer, "pointer-production"))
        buttons = deployer.find_elements(By.CSS_SELECTOR, '[data-testid^="promote-"], [data-testid^="approve-"], [data-testid^="rollback-"], [data-testid^="blocked-"]')
        assert not buttons, [b.get_attribute("data-testid") for b in buttons]
        csrf = deployer.find_element(By.CSS_SELECTOR, 'form.signout input[name="csrf"]').get_attribute("value")
        status = post_from_page(deployer, "/ui/projects/demo/app/-/promote", {"env": "sandbox", "ref": "1.0.0-rc.2", "csrf": csrf})
        assert status == 403, status
        deployer.get(BOARD)
        assert "1.0.0-rc.1" in by_test(deployer, "pointer-sandbox").text, "the forged promotion moved nothing"
    check("a deployer sees no buttons, and a forged POST with its own CSRF token is refused (403)", deployer_reads_only)

    def sign_out():
        admin.find_element(By.CSS_SELECTOR, "form.signout button").click()
        wait_for("the sign-in page", lambda: admin.current_url.endswith("/ui/login"))
        admin.get(BOARD)
        assert admin.current_url.endswith(BOARD) and "Sign in" in admin.title, admin.title
    check("sign out ends the session", sign_out)
finally:
    admin.quit()
    deployer.quit()
sys.exit(1 if failed else 0)
