/**
 * The built-in message catalog: SMS texts per named template and the voice script phrases,
 * for English, Spanish, French, German, Portuguese, Italian and Dutch.
 *
 * Placeholders: `{app}` the application's name, `{code}` the one-time code, `{expires}` the
 * localized time left ("10 minutes"), `{minutes}` the bare number, `{purpose}`.
 * @module
 */

/** One language's strings. Every SMS template must contain `{code}`. */
export interface LocaleStrings {
  /** SMS texts by template name; `default` is required. */
  readonly sms: Readonly<Record<string, string>> & { readonly default: string };
  /** "{n} minutes" by plural category (`Intl.PluralRules`): `other` is required. */
  readonly minutes: Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & {
    readonly other: string;
  };
  /** Voice script: `intro` is said before the code, `again` before each repetition. */
  readonly voice: { readonly intro: string; readonly again: string };
  /** Text-to-speech language (BCP 47 with region), e.g. `en-US`. */
  readonly ttsLanguage: string;
}

/** Names of the built-in SMS templates (each built-in locale has all of them). */
export const BUILTIN_TEMPLATES = ['default', 'login', 'signup', 'reset'] as const;

export const builtinLocales: Readonly<Record<string, LocaleStrings>> = {
  en: {
    sms: {
      default: 'Your {app} verification code is {code}. It expires in {expires}. Do not share it.',
      login:
        'Your {app} login code is {code}. It expires in {expires}. If you did not try to sign in, ignore this message.',
      signup: 'Welcome to {app}! Your sign-up code is {code}. It expires in {expires}.',
      reset:
        'Your {app} password reset code is {code}. It expires in {expires}. If you did not ask for it, ignore this message.',
    },
    minutes: { one: '{n} minute', other: '{n} minutes' },
    voice: { intro: 'Your {app} verification code is:', again: 'Again, your code is:' },
    ttsLanguage: 'en-US',
  },
  es: {
    sms: {
      default: '{code} es tu código de {app}. Caduca en {expires}. No lo compartas.',
      login:
        'Tu código de acceso de {app} es {code}. Caduca en {expires}. Si no intentaste entrar, ignora este mensaje.',
      signup:
        '¡Te damos la bienvenida a {app}! Tu código de registro es {code}. Caduca en {expires}.',
      reset:
        'Tu código para restablecer la contraseña de {app} es {code}. Caduca en {expires}. Si no lo pediste, ignora este mensaje.',
    },
    minutes: { one: '{n} minuto', other: '{n} minutos' },
    voice: { intro: 'Tu código de verificación de {app} es:', again: 'Repito, tu código es:' },
    ttsLanguage: 'es-ES',
  },
  fr: {
    sms: {
      default:
        'Votre code de vérification {app} est {code}. Il expire dans {expires}. Ne le partagez pas.',
      login:
        "Votre code de connexion {app} est {code}. Il expire dans {expires}. Si vous n'avez pas tenté de vous connecter, ignorez ce message.",
      signup:
        "Bienvenue sur {app} ! Votre code d'inscription est {code}. Il expire dans {expires}.",
      reset:
        "Votre code de réinitialisation du mot de passe {app} est {code}. Il expire dans {expires}. Si vous ne l'avez pas demandé, ignorez ce message.",
    },
    minutes: { one: '{n} minute', other: '{n} minutes' },
    voice: {
      intro: 'Votre code de vérification {app} est :',
      again: 'Je répète, votre code est :',
    },
    ttsLanguage: 'fr-FR',
  },
  de: {
    sms: {
      default:
        'Ihr {app}-Bestätigungscode lautet {code}. Er läuft in {expires} ab. Geben Sie ihn nicht weiter.',
      login:
        'Ihr {app}-Anmeldecode lautet {code}. Er läuft in {expires} ab. Falls Sie sich nicht anmelden wollten, ignorieren Sie diese Nachricht.',
      signup:
        'Willkommen bei {app}! Ihr Registrierungscode lautet {code}. Er läuft in {expires} ab.',
      reset:
        'Ihr {app}-Code zum Zurücksetzen des Passworts lautet {code}. Er läuft in {expires} ab. Nicht angefordert? Dann ignorieren Sie diese Nachricht.',
    },
    minutes: { one: '{n} Minute', other: '{n} Minuten' },
    voice: { intro: 'Ihr {app}-Bestätigungscode lautet:', again: 'Noch einmal, Ihr Code lautet:' },
    ttsLanguage: 'de-DE',
  },
  pt: {
    sms: {
      default: '{code} é seu código do {app}. Expira em {expires}. Não o compartilhe.',
      login:
        'Seu código de acesso do {app} é {code}. Ele expira em {expires}. Se você não tentou entrar, ignore esta mensagem.',
      signup: 'Boas-vindas ao {app}! Seu código de cadastro é {code}. Ele expira em {expires}.',
      reset:
        'Seu código para redefinir a senha do {app} é {code}. Ele expira em {expires}. Se você não pediu, ignore esta mensagem.',
    },
    minutes: { one: '{n} minuto', other: '{n} minutos' },
    voice: { intro: 'Seu código de verificação do {app} é:', again: 'Repetindo, seu código é:' },
    ttsLanguage: 'pt-BR',
  },
  it: {
    sms: {
      default: 'Il tuo codice di verifica {app} è {code}. Scade tra {expires}. Non condividerlo.',
      login:
        'Il tuo codice di accesso {app} è {code}. Scade tra {expires}. Se non hai provato ad accedere, ignora questo messaggio.',
      signup: 'Benvenuto su {app}! Il tuo codice di registrazione è {code}. Scade tra {expires}.',
      reset:
        'Il tuo codice per reimpostare la password di {app} è {code}. Scade tra {expires}. Se non lo hai richiesto, ignora questo messaggio.',
    },
    minutes: { one: '{n} minuto', other: '{n} minuti' },
    voice: { intro: 'Il tuo codice di verifica {app} è:', again: 'Ripeto, il tuo codice è:' },
    ttsLanguage: 'it-IT',
  },
  nl: {
    sms: {
      default:
        'Je {app}-verificatiecode is {code}. Deze verloopt over {expires}. Deel hem met niemand.',
      login:
        'Je {app}-inlogcode is {code}. Deze verloopt over {expires}. Heb je niet geprobeerd in te loggen? Negeer dan dit bericht.',
      signup: 'Welkom bij {app}! Je registratiecode is {code}. Deze verloopt over {expires}.',
      reset:
        'Je {app}-code om je wachtwoord opnieuw in te stellen is {code}. Deze verloopt over {expires}. Niet aangevraagd? Negeer dan dit bericht.',
    },
    minutes: { one: '{n} minuut', other: '{n} minuten' },
    voice: { intro: 'Je {app}-verificatiecode is:', again: 'Nogmaals, je code is:' },
    ttsLanguage: 'nl-NL',
  },
};
