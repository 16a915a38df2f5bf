// The bash completion of `weft` (embedded-engine/cli/completion/weft.bash), run by bash as it runs
// on a Tab: COMP_WORDS in, COMPREPLY out, against the built weft.
#include "run.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCompletion : public QObject {
    Q_OBJECT

    QString m_bash;
    QTemporaryDir m_dir;

    QString script() const {
        return qEnvironmentVariable("WEFT_SOURCE_DIR")
               + u"/embedded-engine/cli/completion/weft.bash"_s;
    }
    QString weft() const { return qEnvironmentVariable("WEFT_BIN_DIR") + u"/weft"_s; }

    /// What a Tab after `words` offers (the last word is the one being completed).
    QStringList complete(const QStringList& words) {
        static const QString driver = uR"(
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_weft weft "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}")"_s;
        const Ran r = run(
            m_bash,
            QStringList{u"--norc"_s, u"--noprofile"_s, u"-c"_s, driver, u"bash"_s, script(), weft()}
                + words,
            m_dir.path());
        if (r.code != 0 || !r.err.isEmpty()) qWarning() << r.all();
        return QString::fromUtf8(r.out).split(u'\n', Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase() {
        m_bash = QStandardPaths::findExecutable(u"bash"_s);
        if (m_bash.isEmpty()) QSKIP("bash is not installed");
        QVERIFY(QFileInfo::exists(script()));
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath(u"projects"_s));
    }

    void registered() {
        const Ran r = run(m_bash, {u"--norc"_s, u"-c"_s, u"source \"$1\" && complete -p weft"_s,
                                   u"bash"_s, script()});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("complete -F _weft weft"));
    }

    void offers_data() {
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<QStringList>("offered");    // all of these
        QTest::addColumn<QStringList>("notOffered"); // none of these
        QTest::addRow("commands") << QStringList{u""_s}
                                  << QStringList{u"flow"_s, u"flow-run"_s, u"task-run"_s,
                                                 u"concurrency-limit"_s, u"new"_s}
                                  << QStringList{u"ls"_s, u"--db"_s};
        QTest::addRow("command prefix")
            << QStringList{u"flow"_s} << QStringList{u"flow"_s, u"flow-run"_s}
            << QStringList{u"task-run"_s, u"new"_s};
        QTest::addRow("global options")
            << QStringList{u"--"_s} << QStringList{u"--db"_s, u"--version"_s, u"--help"_s}
            << QStringList{u"--json"_s};
        QTest::addRow("flow-run subcommands")
            << QStringList{u"flow-run"_s, u""_s}
            << QStringList{u"ls"_s, u"inspect"_s, u"logs"_s, u"retry"_s, u"cancel"_s, u"delete"_s}
            << QStringList{u"flow-run"_s, u"new"_s};
        QTest::addRow("after --db VALUE")
            << QStringList{u"--db"_s, u"runs.db"_s, u"flow-run"_s, u"i"_s}
            << QStringList{u"inspect"_s} << QStringList{u"ls"_s};
        QTest::addRow("ls options, parents' too")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--"_s}
            << QStringList{u"--state"_s, u"--flow"_s, u"--limit"_s, u"--json"_s, u"--db"_s}
            << QStringList{u"--follow"_s};
        QTest::addRow("state types")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--state"_s, u""_s}
            << QStringList{u"COMPLETED"_s, u"FAILED"_s, u"CRASHED"_s} << QStringList{u"ls"_s};
        QTest::addRow("state type prefix, any case")
            << QStringList{u"flow-run"_s, u"ls"_s, u"--state"_s, u"c"_s}
            << QStringList{u"COMPLETED"_s, u"CANCELLED"_s, u"CRASHED"_s}
            << QStringList{u"FAILED"_s};
        QTest::addRow("--db takes a file") << QStringList{u"--db"_s, u"proj"_s}
                                           << QStringList{u"projects"_s} << QStringList{u"flow"_s};
        QTest::addRow("new takes a folder")
            << QStringList{u"new"_s, u"p"_s} << QStringList{u"projects"_s} << QStringList{u"ls"_s};
        QTest::addRow("run ids: nothing") << QStringList{u"flow-run"_s, u"inspect"_s, u""_s}
                                          << QStringList{} << QStringList{u"projects"_s, u"ls"_s};
    }
    void offers() {
        QFETCH(QStringList, words);
        QFETCH(QStringList, offered);
        QFETCH(QStringList, notOffered);
        const QStringList got = complete(words);
        for (const QString& w : offered)
            QVERIFY2(got.contains(w), qPrintable(w + u" not in "_s + got.join(u' ')));
        for (const QString& w : notOffered)
            QVERIFY2(!got.contains(w), qPrintable(w + u" in "_s + got.join(u' ')));
        if (offered.isEmpty()) QVERIFY2(got.isEmpty(), qPrintable(got.join(u' ')));
    }
};

QTEST_GUILESS_MAIN(TestCompletion)
#include "tst_completion.moc"
