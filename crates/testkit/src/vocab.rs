//! Word lists for the text generator, most frequent first (their rank sets
//! the Zipf weight). Real words, including inflected forms, so stemming and
//! multilingual search have something to work on.

pub(crate) const ENGLISH: &str = "
the to and a of I you it in is that for on this we be have not with are they at but do so was
my just what can if me your will all know about get like from there one he up out no think ok yes
now time good how when would people should them an or some who her him more going did see any then
here really well want need also tomorrow today meeting send file password account server leak
document email message link call phone back thanks thank please sure maybe right still work new
last first other said make take look let give after before because could been were has had our us
their very much even only something nothing everything anyone someone go come went got tell told
read write wrote sent received check update post release source story press news journalist editor
lawyer court case government official report data archive backup copy drive folder upload download
encrypt encrypted key keys signal chat group channel list names contact contacts address number
money payment transfer bank wallet bitcoin donation price week month year night morning evening
hour minute day days weeks years later soon early late again never always often sometimes already
yet ago since until while where why which whose whom these those such same different important
urgent secret private public safe risk problem issue question answer idea plan team member members
admin access login user users twitter handle profile follow followers tweet tweets thread reply
retweet delete deleted screenshot photo video picture image audio voice note notes draft final
version review agree disagree true false wrong fact facts evidence proof claim claims rumor sources
anonymous identity real fake bot bots spam hack hacked breach security vulnerability patch system
network internet website page site domain office home city country world state election campaign
party vote law legal police investigation interview statement quote article headline publish
published tonight anyway actually probably definitely exactly especially basically honestly
literally seriously totally completely almost enough too many few lot lots little big small long
short old young high low next best better worse bad great nice fine cool happy sorry afraid
worried careful quick slow hard easy clear free full open closed busy ready done passwords servers
files documents meetings messages links accounts leaked leaking sending checked updated
";

pub(crate) const RUSSIAN: &str = "
и в не на я что он с это как а то все она так его но да ты к у же вы за бы по только ее мне было
вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас опять уж
вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам без
чего раз тоже себе под будет тогда кто этот того потому этого какой совсем ним здесь этом один
почти мой тем чтобы сейчас были куда зачем всех никогда можно при наконец два об другой хоть после
над больше тот через эти нас про всего них какая много разве три эту моя впрочем свою этой перед
иногда лучше чуть том нельзя такой им более всегда конечно всю между пароль пароля паролю паролем
пароле пароли паролей сервер сервера серверу сервером сервере серверы серверов файл файла файлу
файлом файле файлы файлов документ документа документы документов документами письмо письма
письмом писем встреча встречи встречу встречей завтра сегодня вчера утром вечером ночью доступ
доступа доступом аккаунт аккаунта аккаунты ссылка ссылку ссылки сообщение сообщения сообщений
архив архива архиве данные данных данными источник источника источники журналист журналиста
журналисты редактор статья статью статьи новости новость утечка утечки утечку ключ ключа ключи
шифрование почта почту почты телефон телефона номер номера деньги денег перевод банк счет счета
адрес адреса группа группы группу чат чата канал канала список списка человек люди людей друг
друга время времени день дня дней неделя неделю недели месяц года год работа работы работу вопрос
вопросы ответ проблема проблемы дело дела делать сделать знаю знаешь знает думаю думаешь понял
поняла понятно хочу хочешь можешь могу нужно сказал сказала говорит пишу написал написала
отправил отправила получил получила проверь проверить посмотри посмотрю спасибо пожалуйста привет
пока ладно хорошо отлично согласен важно срочно секретно безопасно опасно ёлки всё ещё
";

pub(crate) const GERMAN: &str = "
der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden
aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur
oder aber vor zur bis mehr durch man sein wurde sei ja nein doch schon hier heute morgen gestern
jetzt gleich bald später immer nie oft vielleicht wirklich natürlich genau danke bitte gut
schlecht schön groß klein neu alt wichtig dringend geheim sicher Passwort Passwörter Schlüssel
Server Datei Dateien Dokument Dokumente Nachricht Nachrichten Treffen Besprechung Konto Zugang
Zugriff Quelle Quellen Journalist Journalistin Redaktion Artikel Veröffentlichung veröffentlichen
veröffentlicht Leck Daten Archiv Sicherung Kopie Ordner hochladen herunterladen verschlüsselt
Verschlüsselung Gruppe Liste Namen Adresse Nummer Telefon Geld Überweisung Bank Spende Woche Monat
Jahr Nacht Abend Stunde Minute Tag Tage Wochen Frage Fragen Antwort Problem Probleme Idee Plan
Mitglied Mitglieder Regierung Behörde Gericht Anwalt Polizei Ermittlung Beweis Beweise Bericht
Straße Größe Bürger Grüße Gruß Füße Mädchen Männer Frauen Kinder Brüder Tür Büro Häuser Städte
Länder Wähler Wahl Stimme müssen müsste können könnte würde würden möchte möchten dürfen sollte
sollen wissen weiß glaube denke sage sagte geschrieben geschickt bekommen erhalten prüfen schauen
lesen schreiben schicken fragen antworten treffen kommen gehen machen geben nehmen sehen finden
brauchen zurück zusammen wieder während wegen trotz ohne gegen zwischen unter neben hinter
außerdem übrigens ungefähr ziemlich völlig sofort früh spät fertig bereit offen geschlossen
richtig falsch wahr ähnlich fünf zwölf drei zwei eins vier äußerst Öffentlichkeit öffentlich
Übersicht überall Änderung ändern Lösung Schlüsselwort Größen Grüßen
";

pub(crate) const ARABIC: &str = "
في من على إلى أن عن مع هذا هذه ما لا كان التي الذي هو هي نحن أنا أنت هم كل قد لم لن بعد قبل عند
حتى ثم أو بين كما لكن إذا هناك هنا الآن اليوم غدا أمس نعم شكرا فضلك مرحبا سلام جيد جدا مهم عاجل
سري آمن خطر كلمة المرور السر الخادم ملف الملفات وثيقة الوثائق رسالة الرسائل اجتماع حساب الحساب
الدخول مصدر المصادر صحفي الصحفيين محرر مقال الخبر الأخبار تسريب التسريب بيانات البيانات أرشيف
نسخة مجلد تحميل مشفر التشفير مفتاح المفاتيح مجموعة المجموعة قائمة أسماء عنوان رقم هاتف مال
تحويل بنك أسبوع شهر سنة ليلة صباح مساء ساعة دقيقة يوم أيام سؤال جواب مشكلة فكرة خطة عضو أعضاء
الحكومة المحكمة محامي الشرطة تحقيق دليل تقرير نشر منشور الموقع الإنترنت الشبكة الأمن اختراق
حماية صورة فيديو صوت ملاحظة أعرف أعتقد أريد يجب يمكن قال قالت كتب أرسل أرسلت استلمت تحقق انظر
اقرأ اكتب ارسل لماذا كيف متى أين ماذا الذين عندما بسرعة ببطء مبكرا متأخرا جاهز مفتوح مغلق صحيح
خطأ حقيقي مزيف واحد اثنان ثلاثة أربعة خمسة العمل الناس الوقت البيت المدينة البلد العالم الدولة
الانتخابات الحزب القانون السياسة الإعلام الصحافة الحرية الحقيقة المعلومات البريد الرابط الصفحة
المستخدم المستخدمين كبير صغير جديد قديم سهل صعب سريع بطيء أفضل أسوأ ربما دائما أبدا أحيانا غالبا
فقط أيضا لذلك لأن رغم بدون مثل حول فوق تحت أمام خلف داخل خارج يريد يعرف يقول يكتب يرسل ينشر يقرأ
يفتح يغلق ينتظر انتظر سأرسل سأكتب أرسلنا كتبنا نشرنا قرأت فهمت حسنا طيب تمام أكيد للأسف الحمد لله
";

pub(crate) const CHINESE: &str = "
的 我 你 是 了 不 在 他 我们 这 有 就 人 都 一个 也 要 没有 说 他们 好 会 对 什么 可以 知道 还 那 吗
吧 呢 啊 现在 今天 明天 昨天 已经 因为 所以 但是 如果 然后 还是 或者 这个 那个 时候 问题 事情
东西 工作 朋友 大家 自己 觉得 需要 应该 可能 一下 一起 马上 非常 特别 真的 谢谢 不客气 没关系
对不起 密码 服务器 文件 文档 消息 信息 会议 见面 账号 账户 登录 权限 来源 记者 编辑 文章 新闻
泄露 数据 档案 备份 复制 文件夹 上传 下载 加密 密钥 群 群组 频道 名单 名字 地址 号码 电话 钱 转账
银行 捐款 星期 月 年 晚上 早上 小时 分钟 天 回答 想法 计划 成员 政府 法院 律师 警察 调查 证据
报告 发布 网站 网络 安全 黑客 照片 视频 声音 笔记 看看 发送 收到 检查 更新 重要 紧急 秘密 公开
危险 小心 准备 完成 开始 结束 北京 上海
";

/// Emoji as people send them: plain, with variation selectors, skin tones,
/// ZWJ sequences and flags.
pub(crate) const EMOJI: &[&str] = &[
    "😀",
    "😂",
    "👍",
    "🙏",
    "🔥",
    "❤️",
    "🎉",
    "🤔",
    "😢",
    "👀",
    "✅",
    "💯",
    "🤷‍♂️",
    "👨‍👩‍👧",
    "🇺🇦",
    "🇩🇪",
    "👍🏽",
    "😅",
    "🙈",
    "⚠️",
];

/// Fragments with characters that HTML escaping touches. `&lt;` typed
/// literally is the double-escaping trap (`&amp;lt;` in a Twitter archive).
pub(crate) const HTML_BITS: &[&str] = &[
    "&", "<", ">", "<3", "->", "a<b", "R&D", "x > y", "<b>", "&lt;", "&amp;", "Q&A", "<<", "&gt;",
];

/// Link targets for generated URLs.
pub(crate) const URL_BASES: &[&str] = &[
    "https://example.org/",
    "https://news.example.com/2016/",
    "https://de.wikipedia.org/wiki/",
    "https://www.youtube.com/watch?v=",
    "http://пример.рф/",
    "https://pastebin.com/",
    "https://twitter.com/example/status/",
];
